// Errors the double answers with, shaped as the API server's metav1.Status.
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const notFound = (resource: string, name: string, group = '') =>
  new ApiError(404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${name}" not found`, {
    name,
    group,
    kind: resource,
  });

export const conflict = (resource: string, name: string, group = '') =>
  new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resource}${group ? `.${group}` : ''} "${name}": the object has been modified; ` +
      'please apply your changes to the latest version and try again',
    { name, group, kind: resource },
  );

export const alreadyExists = (resource: string, name: string, group = '') =>
  new ApiError(409, 'AlreadyExists', `${resource}${group ? `.${group}` : ''} "${name}" already exists`, {
    name,
    group,
    kind: resource,
  });

export const invalid = (message: string) => new ApiError(422, 'Invalid', message);
export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const gone = (message: string) => new ApiError(410, 'Expired', message);
