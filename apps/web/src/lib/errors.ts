import { TRPCClientError } from '@trpc/client';

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
    return { title: titleForCode(data?.code), detail: error.message };
  }
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
    case 'FORBIDDEN':
      return 'Access refused';
    default:
      return 'The server could not answer';
  }
}
