import { TRPCClientError } from '@trpc/client';
import { AuthFailure } from './session.ts';

export interface ErrorDescription {
  title: string;
  detail: string;
}

/**
 * An error in words an operator can act on. A failed fetch means the console lost the BFF; a tRPC
 * error carries the server's message (which names the node, e.g. "node probe-d is unreachable").
 */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; httpStatus?: number } | undefined;
    if (!data && /fetch|network|load failed/i.test(error.message))
      return { title: 'The console cannot reach the server', detail: error.message };
    if (data?.code === 'FORBIDDEN')
      return {
        title: 'Access refused',
        // The role check says which role it needs; other refusals (CSRF, scope) speak for themselves.
        detail: /needs the \w+ role/.test(error.message)
          ? `Your role does not allow this: ${error.message}. An admin can change your role.`
          : error.message,
      };
    return {
      title: titleForCode(data?.code),
      detail: data?.code === 'BAD_REQUEST' ? (inputIssues(error.message) ?? error.message) : error.message,
    };
  }
  if (error instanceof AuthFailure)
    return {
      title: error.kind === 'unreachable' ? 'The console cannot reach the server' : 'Refused',
      detail: error.message,
    };
  if (error instanceof Error) return { title: 'Something went wrong', detail: error.message };
  return { title: 'Something went wrong', detail: String(error) };
}

function titleForCode(code: string | undefined): string {
  switch (code) {
    case 'NOT_FOUND':
      return 'Not found';
    case 'BAD_REQUEST':
      return 'The request was refused';
    case 'GATEWAY_TIMEOUT':
      return 'The owning node did not answer in time';
    case 'SERVICE_UNAVAILABLE':
      return 'The owning node is unreachable';
    case 'UNAUTHORIZED':
      return 'Your session has ended';
    default:
      return 'The server could not answer';
  }
}

/**
 * A refused input's zod issues, which tRPC sends as their JSON, one line each: `content.bundles[0].target:
 * target: "**", …`; undefined when the message is not such a list.
 */
export function inputIssues(message: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(isIssue)) return undefined;
  return parsed
    .map((issue) =>
      issue.path.length > 0 ? `${formatIssuePath(issue.path)}: ${issue.message}` : issue.message,
    )
    .join('\n');
}

interface Issue {
  path: (string | number)[];
  message: string;
}

function isIssue(value: unknown): value is Issue {
  const issue = value as Partial<Issue> | null;
  return typeof issue?.message === 'string' && Array.isArray(issue.path);
}

/** `bundles[0].routes[1].url` from an issue's path. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    '',
  );
}
