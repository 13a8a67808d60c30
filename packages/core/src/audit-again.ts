const said = new Set<string>();

/**
 * What every adapter does when the object it is given is already audited, so that all behave alike: nothing
 * is hooked a second time and the same object is returned; a `name` that differs renames the pool (returned
 * here, for the adapter to pass to `probe.rename()`); any other option that differs from the first audit is
 * ignored, and a warning saying so is emitted once (`process.emitWarning`, code `POOLAUDIT_AUDITED_AGAIN`).
 *
 * `where` is the adapter's function (`auditPool()`), `first` the options of the audit in force (checked),
 * `again` those of this call (checked). Options are compared with `Object.is`.
 */
export function auditAgain(
  where: string,
  pool: string,
  firstOptions: object,
  againOptions: object,
): string | undefined {
  const first = firstOptions as Readonly<Record<string, unknown>>;
  const again = againOptions as Readonly<Record<string, unknown>>;
  const ignored = Object.keys(again).filter(
    (key) => key !== 'name' && again[key] !== undefined && !Object.is(again[key], first[key]),
  );
  if (ignored.length > 0) {
    const message =
      `poolaudit: ${where} was called again for the pool "${pool}", which is already audited: ` +
      `${ignored.join(', ')} differ${ignored.length === 1 ? 's' : ''} from the first audit and ` +
      `${ignored.length === 1 ? 'is' : 'are'} ignored (detach it first to audit it with other options).`;
    if (!said.has(message)) {
      said.add(message);
      process.emitWarning(message, { code: 'POOLAUDIT_AUDITED_AGAIN' });
    }
  }
  const name = again['name'];
  return typeof name === 'string' && name !== pool ? name : undefined;
}
