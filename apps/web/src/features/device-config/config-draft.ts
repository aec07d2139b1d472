/** The text of a configuration editor as `devices.setConfig`'s document, or the problem in words. */
export function configDraftInput(text: string): { config: Record<string, unknown> } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `Not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { problem: 'The configuration is a JSON object: { "key": value, … }.' };
  return { config: value as Record<string, unknown> };
}

/** A document as the editor shows it: indented JSON. */
export function configText(config: Record<string, unknown> | null | undefined): string {
  return JSON.stringify(config ?? {}, null, 2);
}
