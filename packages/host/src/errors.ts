/** Nothing of the kernel's socket table could be read (no `/proc`, no permission, a failed worker). */
export class ProcReadError extends Error {
  readonly code = 'POOLAUDIT_PROC_UNREADABLE';
  /** What was tried, file by file. */
  readonly problems: readonly { readonly file: string; readonly message: string }[];
  constructor(
    message: string,
    problems: readonly { readonly file: string; readonly message: string }[] = [],
  ) {
    super(`poolaudit: ${message}`);
    this.name = 'ProcReadError';
    this.problems = problems;
  }
}
