import { LabelKey } from '@tierscope/shared/domain';
import { CreateDeviceInput } from '@tierscope/shared/schemas';
import { formatIssuePath } from '../../lib/errors.ts';

/** The "Add device" form as typed; labels as `key=value; key=value`. */
export interface NewDeviceForm {
  nodePath: string;
  deviceId: string;
  name: string;
  kind: string;
  site: string;
  labels: string;
}

export const EMPTY_NEW_DEVICE: NewDeviceForm = {
  nodePath: '',
  deviceId: '',
  name: '',
  kind: '',
  site: '',
  labels: '',
};

/** `key=value; key=value` as labels, or what is wrong with it (the CSV import reads them alike). */
export function readLabels(text: string): { labels: Record<string, string> } | { error: string } {
  const labels: Record<string, string> = {};
  for (const pair of text.split(';').filter((part) => part.trim() !== '')) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at).trim();
    if (at < 0 || !LabelKey.safeParse(key).success) return { error: `"${pair.trim()}" is not key=value` };
    if (key in labels) return { error: `"${key}" twice` };
    labels[key] = pair.slice(at + 1).trim();
  }
  return { labels };
}

/** The `devices.create` input, or an error per field of the form. */
export function readNewDevice(
  form: NewDeviceForm,
):
  | { ok: true; input: CreateDeviceInput }
  | { ok: false; errors: Partial<Record<keyof NewDeviceForm, string>> } {
  const labels = readLabels(form.labels);
  const checked = CreateDeviceInput.safeParse({
    nodePath: form.nodePath || undefined,
    deviceId: form.deviceId.trim(),
    name: form.name,
    kind: form.kind,
    site: form.site,
    labels: 'labels' in labels ? labels.labels : {},
  });
  const errors: Partial<Record<keyof NewDeviceForm, string>> = {};
  if ('error' in labels) errors.labels = labels.error;
  if (form.nodePath === '') errors.nodePath = 'Choose the node that owns it';
  if (!checked.success)
    for (const issue of checked.error.issues) {
      const field = issue.path[0] === 'labels' ? 'labels' : issue.path[0];
      if (typeof field === 'string' && field in EMPTY_NEW_DEVICE)
        errors[field as keyof NewDeviceForm] ??= issue.message;
      else errors.deviceId ??= `${formatIssuePath(issue.path)}: ${issue.message}`;
    }
  return checked.success && Object.keys(errors).length === 0
    ? { ok: true, input: checked.data }
    : { ok: false, errors };
}
