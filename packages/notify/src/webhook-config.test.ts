import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { notifierConfigFields, WebhookList, webhooksOnAllowlist } from './webhook-config.ts';

const NotifierConfig = z.object(notifierConfigFields).superRefine(webhooksOnAllowlist);

const messages = (text: string) => WebhookList.safeParse(text).error?.issues.map((issue) => issue.message);

describe('WEBHOOKS', () => {
  it('fills the defaults', () => {
    expect(WebhookList.parse('[{"id":"ops","url":"https://hooks.example.com/a"}]')).toEqual([
      {
        id: 'ops',
        url: 'https://hooks.example.com/a',
        minSeverity: 'warning',
        sendResolved: true,
        timeoutMs: 10_000,
      },
    ]);
  });

  it('reads matchers', () => {
    const [webhook] = WebhookList.parse(
      '[{"id":"pumps","url":"https://h.example.com","minSeverity":"critical","sendResolved":false,' +
        '"matchers":{"devicePattern":"pump-*","ruleId":"pressure","nodePath":"district-1"}}]',
    );
    expect(webhook).toMatchObject({
      minSeverity: 'critical',
      sendResolved: false,
      matchers: { devicePattern: 'pump-*', ruleId: 'pressure', nodePath: 'district-1' },
    });
  });

  it('says when it is not a JSON array', () => {
    expect(messages('{"id":"ops"}')).toEqual(['WEBHOOKS: a JSON array of at most 50 webhooks']);
    expect(messages('[{')?.[0]).toMatch(/^WEBHOOKS: not JSON/);
  });

  it('names the bad entry by index and id', () => {
    const result = WebhookList.safeParse(
      JSON.stringify([
        { id: 'ok', url: 'https://a.example.com' },
        { id: 'pager', url: 'ftp://a.example.com' },
        { id: 'chat', url: 'https://a.example.com', minSeverity: 'loud' },
        { url: 'https://a.example.com' },
      ]),
    );
    const issues = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues).toEqual([
      '1.url: webhook 1 ("pager"): url: an http:// or https:// URL',
      expect.stringMatching(/^2\.minSeverity: webhook 2 \("chat"\): /),
      expect.stringMatching(/^3\.id: webhook 3: /),
    ]);
  });

  it('refuses an id used twice and keys it does not know', () => {
    expect(
      messages('[{"id":"a","url":"https://x.example.com"},{"id":"a","url":"https://y.example.com"}]'),
    ).toEqual(['webhook 1 ("a"): the id is used twice']);
    expect(messages('[{"id":"a","url":"https://x.example.com","headers":{}}]')?.[0]).toMatch(
      /^webhook 0 \("a"\): .*headers/,
    );
  });
});

describe("a tier's notifier configuration", () => {
  const base = {};

  it('has no webhooks and an empty allowlist by default', () => {
    const config = NotifierConfig.parse(base);
    expect(config.webhooks).toEqual([]);
    expect(config.webhookAllowlist).toEqual({ hosts: [], domains: [], networks: [] });
  });

  it('takes webhooks whose hosts are on the allowlist', () => {
    const config = NotifierConfig.parse({
      ...base,
      webhooks: '[{"id":"ops","url":"https://hooks.example.com/a"}]',
      webhookAllowlist: 'hooks.example.com',
    });
    expect(config.webhooks.map((webhook) => webhook.id)).toEqual(['ops']);
  });

  it('refuses, by name, a webhook whose host is not on the allowlist', () => {
    const result = NotifierConfig.safeParse({
      ...base,
      webhooks:
        '[{"id":"ops","url":"https://hooks.example.com/a"},{"id":"meta","url":"http://169.254.169.254/"}]',
      webhookAllowlist: 'hooks.example.com',
    });
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'webhooks.1.url: webhook "meta": host "169.254.169.254" is not on WEBHOOK_ALLOWLIST',
    ]);
  });
});
