/**
 * Every data problem (missing, corrupt, inconsistent file) surfaces as a DatasetError so callers can
 * tell "fix your data" apart from programming errors. `file` is the path (or canonical name) at fault.
 */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly file: string;

  constructor(file: string, message: string, options?: ErrorOptions) {
    super(`${file}: ${message}`, options);
    this.file = file;
  }
}
