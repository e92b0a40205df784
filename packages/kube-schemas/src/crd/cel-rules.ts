// The `x-kubernetes-validations` rules of CRD schemas, evaluated with a real CEL implementation
// (@marcbachmann/cel-js) as an ajv keyword: each rule is parsed once when its schema compiles and run
// with `self` bound to the value at its node, as the API server does on create.
//
// Supported: standard CEL (operators, has(), size(), string contains/startsWith/endsWith/matches/
// indexOf/lastIndexOf/substring, list join, all/exists/exists_one/map/filter macros, int/uint/double/
// string/bytes/timestamp/duration conversions). Kubernetes' own libraries (isURL, url(), quantity(),
// ip()/cidr(), the list, regex and extended string functions) are not: a rule that calls one, or that
// fails to parse or evaluate, is reported as an error ("cannot be evaluated"), never skipped (fail
// closed). Transition rules (those reading `oldSelf`) only run on update, so they are skipped here.
import { Environment } from '@marcbachmann/cel-js';
import { _, nil, stringify, type Ajv, type ErrorObject, type KeywordCxt } from 'ajv';
import errorsModule from 'ajv/dist/compile/errors.js';
import namesModule from 'ajv/dist/compile/names.js';
import codeModule from 'ajv/dist/vocabularies/code.js';

// ajv's code-generation helpers are CommonJS: Node gives a default import as the module's exports (names.js
// exports its table as `default`), while vitest's interop already unwraps that `default`.
const { extendErrors } = errorsModule;
const { callValidateCode } = codeModule;
const names = ((namesModule as { default?: typeof namesModule.default }).default ??
  namesModule) as typeof namesModule.default;

export const RULES_KEYWORD = 'x-kubernetes-validations';

interface Rule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
}

type Program = (context: Record<string, unknown>) => unknown;

const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });

/** JSON values as CEL sees them: integers are CEL ints (BigInt). */
export function toCelValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelValue);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = toCelValue(v);
    return out;
  }
  return value;
}

/** '.spec.x' / ".metadata['a.b']" relative to the rule's node → JSON pointer suffix; '' when not understood. */
export function fieldPathPointer(fieldPath: string | undefined): string {
  if (!fieldPath) return '';
  const parts: string[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\['([^']*)'\]|\[(\d+)\]/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(fieldPath))) {
    parts.push((m[1] ?? m[2] ?? m[3])!);
    end = re.lastIndex;
  }
  if (end !== fieldPath.length) return '';
  return parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

type Compiled = { rule: Rule; program?: Program; message?: Program; parseError?: string; transition: boolean };

function compileRule(raw: unknown): Compiled {
  const rule = (raw ?? {}) as Rule;
  const transition = /\boldSelf\b/.test(String(rule.rule));
  try {
    if (typeof rule.rule !== 'string') throw new Error('the rule is not a string');
    const program = env.parse(rule.rule) as unknown as Program;
    let message: Program | undefined;
    if (typeof rule.messageExpression === 'string') {
      try {
        message = env.parse(rule.messageExpression) as unknown as Program;
      } catch {
        message = undefined;
      }
    }
    return { rule, program, message, transition };
  } catch (err) {
    return { rule, parseError: firstLine(err), transition };
  }
}

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0]!;

function ruleError(instancePath: string, message: string, rule: Rule, cannotEvaluate: boolean): ErrorObject {
  return {
    keyword: RULES_KEYWORD,
    instancePath: instancePath + fieldPathPointer(rule.fieldPath),
    schemaPath: '',
    params: { rule: rule.rule, cannotEvaluate },
    message,
  };
}

/** A check of one node's rules: true when they hold, else false with the failures in `errors` (as ajv's keywords). */
export type RulesCheck = ((data: unknown, cxt?: { instancePath?: string }) => boolean) & { errors?: ErrorObject[] };

/** Pure: the check of a node's `x-kubernetes-validations`, each rule parsed once here. */
export function rulesCheck(rules: unknown[]): RulesCheck {
  const compiled = rules.map(compileRule);
  const validate = (data: unknown, cxt?: { instancePath?: string }): boolean => {
    if (data === null || data === undefined) return true;
    const at = cxt?.instancePath ?? '';
    const errors: ErrorObject[] = [];
    let self: unknown;
    for (const c of compiled) {
      if (c.transition) continue;
      if (c.parseError) {
        errors.push(
          ruleError(at, `rule ${JSON.stringify(c.rule.rule)} cannot be evaluated: ${c.parseError}`, c.rule, true),
        );
        continue;
      }
      self ??= toCelValue(data);
      let result: unknown;
      try {
        result = c.program!({ self });
      } catch (err) {
        errors.push(
          ruleError(at, `rule ${JSON.stringify(c.rule.rule)} cannot be evaluated: ${firstLine(err)}`, c.rule, true),
        );
        continue;
      }
      if (typeof result !== 'boolean') {
        errors.push(
          ruleError(
            at,
            `rule ${JSON.stringify(c.rule.rule)} cannot be evaluated: it returned ${typeof result}, not a bool`,
            c.rule,
            true,
          ),
        );
      } else if (!result) {
        let text: string | undefined;
        try {
          const m = c.message?.({ self });
          if (typeof m === 'string' && m) text = m;
        } catch {
          text = undefined;
        }
        errors.push(ruleError(at, text ?? c.rule.message ?? `failed rule: ${c.rule.rule}`, c.rule, false));
      }
    }
    (validate as unknown as { errors: ErrorObject[] }).errors = errors;
    return errors.length === 0;
  };
  return validate;
}

/**
 * What a stored schema's code requires to get its rules checks back (see createSchemaValidator's store):
 * the keyword is written as a call of rulesCheck on the rules themselves, not as a closure, because ajv's
 * standalone code can only hold values it can write as code.
 */
export const CEL_RULES_MODULE = '@cmsweb/kube-schemas:cel-rules';

/** Registers the rules keyword on an ajv instance. */
export function addCelRules(ajv: Ajv): Ajv {
  ajv.addKeyword({
    keyword: RULES_KEYWORD,
    schemaType: 'array',
    trackErrors: true,
    // The same code ajv generates for a `compile` keyword (a call, its errors appended and given this
    // keyword's schema path), but with the check's source written out so that standalone code can hold it.
    code(cxt: KeywordCxt) {
      const { gen, schema } = cxt;
      const check = gen.scopeValue('keyword', {
        ref: rulesCheck(schema as unknown[]),
        code: _`require(${CEL_RULES_MODULE}).rulesCheck(${stringify(schema)})`,
      });
      const valid = gen.let('valid');
      gen.assign(_`${check}.errors`, null);
      gen.assign(valid, callValidateCode(cxt, check, nil, false));
      gen.if(_`!${valid}`, () => {
        const errs = _`${check}.errors`;
        gen
          .assign(names.vErrors, _`${names.vErrors} === null ? ${errs} : ${names.vErrors}.concat(${errs})`)
          .assign(names.errors, _`${names.vErrors}.length`);
        extendErrors(cxt);
      });
      cxt.ok(valid);
    },
  });
  return ajv;
}
