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
import type { Ajv, ErrorObject, KeywordCxt } from 'ajv';
import { _, not, stringify, strConcat } from 'ajv/dist/compile/codegen/index.js';
import { extendErrors } from 'ajv/dist/compile/errors.js';
import namesImport from 'ajv/dist/compile/names.js';

export const RULES_KEYWORD = 'x-kubernetes-validations';

// ajv's names module is CommonJS; under NodeNext its default export arrives wrapped.
const N = ((namesImport as unknown as { default?: unknown }).default ?? namesImport) as typeof namesImport.default;

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

/** The check of one node's rules: false with `errors` set when one fails or cannot be evaluated. */
export type RulesCheck = ((data: unknown, cxt?: { instancePath?: string }) => boolean) & {
  errors?: ErrorObject[] | null;
};

/**
 * The check of a node's `x-kubernetes-validations` (its rules parsed once). Exported so that stored standalone
 * code can make it again when it loads: the generated code calls `require(CEL_RULES_MODULE).rulesCheck(rules)`.
 */
export function rulesCheck(rules: unknown[]): RulesCheck {
  const compiled = rules.map(compileRule);
  const validate: RulesCheck = (data, cxt) => {
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
    validate.errors = errors;
    return errors.length === 0;
  };
  return validate;
}

/**
 * What stored standalone code requires to make the rules checks again (a loader answers it with this module:
 * kube-schemas' validator.ts, loadStored).
 */
export const CEL_RULES_MODULE = '@cmsweb/kube-schemas:cel-rules';

/**
 * Registers the rules keyword on an ajv instance. A `code` keyword, not a `compile` one, so that ajv can write
 * a schema holding rules as standalone code (kept on disk by a compiled-schema store): the code it generates
 * is what ajv generates for a compiled keyword with errors (funcKeywordCode: the check called with the instance
 * path, its errors appended and given the schema, data and paths ajv gives every error), with the check made
 * by `require(CEL_RULES_MODULE).rulesCheck(<the rules>)` when the code is loaded.
 */
export function addCelRules(ajv: Ajv): Ajv {
  ajv.addKeyword({
    keyword: RULES_KEYWORD,
    schemaType: 'array',
    trackErrors: true,
    code(cxt: KeywordCxt) {
      const { gen, schema, data, it } = cxt;
      const rules = schema as unknown[];
      const check = gen.scopeValue('keyword', {
        ref: rulesCheck(rules),
        code: _`require(${CEL_RULES_MODULE}).rulesCheck(${stringify(rules)})`,
      });
      const valid = gen.let('valid');
      const errs = _`${check}.errors`;
      gen.assign(errs, null);
      gen.assign(valid, _`${check}(${data}, {instancePath: ${strConcat(N.instancePath, it.errorPath)}})`);
      gen.if(not(valid), () =>
        gen.if(
          _`Array.isArray(${errs})`,
          () => {
            gen
              .assign(N.vErrors, _`${N.vErrors} === null ? ${errs} : ${N.vErrors}.concat(${errs})`)
              .assign(N.errors, _`${N.vErrors}.length`);
            extendErrors(cxt);
          },
          () => cxt.error(),
        ),
      );
      cxt.ok(valid);
    },
  });
  return ajv;
}
