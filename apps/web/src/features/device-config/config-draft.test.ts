import { describe, expect, it } from 'vitest';
import { configDraftInput, configText } from './config-draft.ts';

describe('configDraftInput', () => {
  it('takes a JSON object as the document', () => {
    expect(configDraftInput('{ "intervalSeconds": 30, "net": { "ssid": "a" } }')).toEqual({
      config: { intervalSeconds: 30, net: { ssid: 'a' } },
    });
  });

  it('names the problem with text that is not JSON, or JSON that is not an object', () => {
    const notJson = configDraftInput('{ interval: 30 }');
    expect('problem' in notJson && notJson.problem).toMatch(/^Not JSON/);
    for (const text of ['[1, 2]', '42', 'null', '"x"'])
      expect(configDraftInput(text), text).toEqual({
        problem: 'The configuration is a JSON object: { "key": value, … }.',
      });
  });

  it('shows a document as indented JSON that reads back the same', () => {
    const config = { a: 1, b: { c: [true] } };
    expect(configDraftInput(configText(config))).toEqual({ config });
    expect(configText(null)).toBe('{}');
  });
});
