import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ServiceErrorCode } from '@hoot/domain';
import { HootException } from '../errors/hoot.exception';

export interface FieldProblem {
  /** Dotted path of the field (`limits.maxConferences`). */
  field: string;
  problems: string[];
}

/** Flattens class-validator's nested errors to one entry per field path. */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) out.push({ field, problems: Object.values(error.constraints) });
    if (error.children?.length) out.push(...fieldProblems(error.children, field));
  }
  return out;
}

export function invalidRequest(fields: FieldProblem[]): HootException {
  const names = fields.map((f) => f.field).join(', ');
  return new HootException(ServiceErrorCode.RequestInvalid, 400, `invalid request: ${names || 'body'}`, {
    fields,
  });
}

/**
 * The strict global pipe: unknown fields are an error (not silently dropped), values are converted to
 * the DTO's types, and a body that is not a JSON object (an array, a string, nothing) is refused too.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => invalidRequest(fieldProblems(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.metatype && this.toValidate(metadata);
    if (dto && (metadata.type === 'body' || metadata.type === 'query')) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw invalidRequest([
          { field: metadata.type, problems: [`${metadata.type} must be a JSON object`] },
        ]);
      }
    }
    return super.transform(value, metadata);
  }
}
