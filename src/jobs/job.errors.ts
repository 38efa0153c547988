import { AppError } from '../common/app-error';

/** The job id does not exist (404 NOT_FOUND). */
export class JobNotFoundError extends AppError {
  constructor(jobId: string) {
    super('NOT_FOUND', `job ${jobId} not found`, { details: { job_id: jobId } });
  }
}

/** The job id is not a UUID (400 INVALID_INPUT). */
export class InvalidJobIdError extends AppError {
  constructor(jobId: string) {
    super('INVALID_INPUT', 'job_id must be a UUID', { details: { job_id: jobId } });
  }
}

/** The job is in a state that forbids the request, e.g. cancelling a finished job (409 CONFLICT). */
export class JobConflictError extends AppError {
  constructor(jobId: string, message: string, status: string) {
    super('CONFLICT', message, { details: { job_id: jobId, status } });
  }
}

/** The job has no such file yet (404 NOT_FOUND). */
export class JobFileNotReadyError extends AppError {
  constructor(jobId: string, file: string, status: string) {
    super('NOT_FOUND', `job ${jobId} has no ${file} (status ${status})`, { details: { job_id: jobId, status } });
  }
}

/** A finished job's file is gone from the artifact store (404 NOT_FOUND; 416 ranges map to INVALID_INPUT). */
export class JobFileMissingError extends AppError {
  constructor(file: string, status: number) {
    super(status === 416 ? 'INVALID_INPUT' : 'NOT_FOUND', status === 416 ? 'requested range not satisfiable' : 'file is no longer available', {
      details: { file: file.split('/').pop(), status },
    });
  }
}

/** A Range header that selects nothing in the file (416, with `Content-Range: bytes *\/size`). */
export class RangeNotSatisfiableError extends AppError {
  constructor(sizeBytes: number) {
    super('RANGE_NOT_SATISFIABLE', 'requested range not satisfiable', { details: { fields: { range: [`the file has ${sizeBytes} bytes`] }, size_bytes: sizeBytes } });
  }
}
