/** Errors a service throws; the tRPC layer maps them to NOT_FOUND and BAD_REQUEST. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}
