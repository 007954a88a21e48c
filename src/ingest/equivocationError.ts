import { HashmeshError } from '../errors.js'

export type EquivocationErrorCode = 'NO_SUCH_EQUIVOCATION' | 'BAD_PUBLISHER_KEY'

export class EquivocationError extends HashmeshError<EquivocationErrorCode> {}
