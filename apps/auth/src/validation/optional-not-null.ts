import { ValidateIf } from 'class-validator';

/**
 * An optional field: absent is fine, `null` is not. class-validator's `@IsOptional()` skips validation for
 * `null` as well, so `{"organisation": null}` would pass and reach the store; with this, `null` is checked
 * like any other value and refused by the field's type rule (400 `request.invalid`).
 */
export const OptionalNotNull = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);
