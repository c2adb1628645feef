/**
 * The job form: its fields as the browser sends them (strings, snake_case as in the API), what the
 * library gets from them, and the library's `ValidationError` issues put back next to each field.
 */
import {
  type CatchUpPolicy,
  ConflictError,
  type FieldIssue,
  type OverlapPolicy,
  type Schedule,
  type ScheduleInput,
  ValidationError,
} from '../../lib/index.ts';

/** The form's fields, in page order. */
export const FORM_FIELDS = [
  'name',
  'cron',
  'every',
  'timezone',
  'job_fields',
  'catch_up',
  'catch_up_window_seconds',
  'overlap',
  'paused',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/** What the form shows: the text of each field. */
export type FormValues = Record<FormField, string>;

/** A message per field; `form` holds what belongs to no one field. */
export type FormErrors = Partial<Record<FormField | 'form', string>>;

/** The library's field names -> the form's (the same names the JSON API uses). */
const FIELD_OF_ISSUE: Record<string, FormField> = {
  name: 'name',
  cron: 'cron',
  every: 'every',
  timezone: 'timezone',
  fields: 'job_fields',
  catchUp: 'catch_up',
  catchUpWindowSeconds: 'catch_up_window_seconds',
  overlap: 'overlap',
  paused: 'paused',
};

/** The empty form of a new job. */
export const NEW_FORM: FormValues = {
  name: '',
  cron: '',
  every: '',
  timezone: 'UTC',
  job_fields: '{}',
  catch_up: 'latest',
  catch_up_window_seconds: '',
  overlap: 'allow',
  paused: '',
};

/** A stored schedule as the edit form shows it. */
export function formOf(schedule: Schedule): FormValues {
  return {
    name: schedule.name,
    cron: schedule.cron ?? '',
    every: schedule.every ?? '',
    timezone: schedule.timezone,
    job_fields: JSON.stringify(schedule.fields, null, 2),
    catch_up: schedule.catchUp,
    catch_up_window_seconds: schedule.catchUpWindowSeconds === null ? '' : String(schedule.catchUpWindowSeconds),
    overlap: schedule.overlap,
    paused: schedule.paused ? 'on' : '',
  };
}

/**
 * The submitted body's text fields. A missing field keeps its default (an unchecked box sends
 * nothing, and `paused` defaults to unchecked); files are ignored.
 */
export function formValues(body: Record<string, unknown>): FormValues {
  const values = { ...NEW_FORM };
  for (const field of FORM_FIELDS) {
    const value = body[field];
    if (typeof value === 'string') values[field] = value;
  }
  return values;
}

/**
 * What the library is asked to store. Only `job_fields` is checked here (the library takes an object,
 * the form has text); every other value goes to the library as typed, and its ValidationError says
 * what was wrong, so the form and the API refuse the same things with the same words.
 */
export function toInput(values: FormValues): { input: ScheduleInput; errors: FormErrors } {
  const errors: FormErrors = {};
  let fields: Record<string, unknown> = {};
  const text = values.job_fields.trim();
  if (text !== '') {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        errors.job_fields = 'expected a JSON object, such as {"report": "sales"}';
      } else fields = parsed as Record<string, unknown>;
    } catch (error) {
      errors.job_fields = `expected a JSON object; this is not JSON (${(error as Error).message})`;
    }
  }
  const window = values.catch_up_window_seconds.trim();
  const input: ScheduleInput = {
    name: values.name.trim(),
    // The kind given: a cron expression, or an interval when the cron field is empty.
    ...(values.cron.trim() !== '' || values.every.trim() === ''
      ? { cron: values.cron.trim() }
      : { every: values.every.trim() }),
    timezone: values.timezone.trim() || 'UTC',
    fields,
    catchUp: values.catch_up as CatchUpPolicy,
    // Not a number stays NaN, which the library refuses with its own message.
    catchUpWindowSeconds: window === '' ? null : Number(window),
    overlap: values.overlap as OverlapPolicy,
    paused: values.paused !== '',
  };
  return { input, errors };
}

/** The library's issues as form errors: each next to its field, the first one per field. */
export function issuesToErrors(issues: readonly FieldIssue[]): FormErrors {
  const errors: FormErrors = {};
  for (const issue of issues) {
    const field = FIELD_OF_ISSUE[issue.field.split('.')[0]!] ?? 'form';
    errors[field] ??= `expected ${issue.expected}`;
  }
  return errors;
}

/** The form errors a refused create or update stands for, or null when the error is not the user's. */
export function errorsOf(error: unknown): FormErrors | null {
  if (error instanceof ValidationError) return issuesToErrors(error.issues);
  if (error instanceof ConflictError) return { name: 'another job already has this name' };
  return null;
}
