/** The body of every API answer that is not a 2xx. */
export interface ErrorBody { error: { code: string, message: string } }
