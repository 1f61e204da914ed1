/**
 * Every data problem (missing, corrupt, inconsistent file) surfaces as a DatasetError so callers can
 * tell "fix your data" apart from programming errors. `file` is the path (or canonical name, or URL) at
 * fault; `fix`, when known, says what to do about it and ends the message.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly file: string;
  /** What went wrong, without the file and the fix. */
  readonly detail: string;
  readonly fix: string | undefined;

  constructor(file: string, detail: string, options?: ErrorOptions & { fix?: string }) {
    super(`${file}: ${detail}${options?.fix ? `\nFix: ${options.fix}` : ''}`, options);
    this.file = file;
    this.detail = detail;
    this.fix = options?.fix;
  }

  /** The same error with `fix` as its fix; an error that already has one keeps it. */
  withFix(fix: string): DatasetError {
    return this.fix ? this : new DatasetError(this.file, this.detail, { cause: this.cause, fix });
  }
}
