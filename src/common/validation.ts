import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError } from './app-error';

/** Flattens class-validator errors to `{field.path: [messages]}`. Pure. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) {
    const key = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints) out[key] = Object.values(e.constraints);
    if (e.children?.length) Object.assign(out, flattenValidationErrors(e.children, key));
  }
  return out;
}

/**
 * The global validation pipe: unknown fields are rejected, nothing is coerced silently, and the error names
 * each bad field (`INVALID_INPUT`, details `{fields: {name: [messages]}}`, docs/api.md "Errors").
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      return new AppError('INVALID_INPUT', `invalid request: ${Object.keys(fields).join(', ')}`, { details: { fields } });
    },
  });
}
