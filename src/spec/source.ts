/**
 * Where a rule comes from, which caps what a deviation from it may conclude (DESIGN.md, "its
 * source caps its verdict"; docs/decisions.md). The one home of these types: the validator
 * computes sources, profiles declare classes and policies, verdicts and reports read them.
 */

/** The class of a decision of docs/decisions.md: our reading of the seed's intent, or a plain choice where it is silent. */
export type DecisionClass = 'reading' | 'choice';

/**
 * The source of a rule a message was checked against:
 * - `seed`: the seed states or shows it (a field and its type in the seed's example, a listed limit);
 * - `reading`, `choice`: a decision of that class (the rule is its id);
 * - `lenient`: what the seed allows by not saying otherwise, deviating only from our tidy form of
 *   it: null in a field the schema does not require, a code outside a list the seed gives as
 *   examples, a field the spec does not define.
 */
export type RuleSource = 'seed' | DecisionClass | 'lenient';

/**
 * What a deviation from a decision may conclude: `cap` (the default) caps it by its class,
 * `enforce` makes every decision a contract whose deviations FAIL.
 */
export type DecisionPolicy = 'cap' | 'enforce';

/**
 * Whether a profile defines every message a server may send (`closed`), or leaves server messages
 * open as seed 001 does (`open`): an undefined server message is then a choice, not a reading.
 */
export type ServerMessagesPolicy = 'closed' | 'open';

/**
 * Strongest first: seed FAILs, a reading is NON-STRICT and may FAIL under `enforce`, lenient is
 * NON-STRICT, a choice INFORMATIONAL. (Under `enforce` a choice outweighs lenient: rank verdicts,
 * not sources, there; src/conformance/verdict.ts.)
 */
export const SOURCE_ORDER: readonly RuleSource[] = ['seed', 'reading', 'lenient', 'choice'];

/** The rules of a lenient schema error: null in a field the schema does not require, a value outside an open list. */
export const OPTIONAL_NULL = 'optional-null';
export const OPEN_ENUM = 'open-enum';
