// The backend's handler types, shared by the domain handler modules (app, accounts, diagnosis, sessions,
// watch, fixes): one handler per contract channel, grouped by the channel's domain prefix.
import type { EventChannel, EventPayloads, ParsedArgsOf, RequestChannel, ResultOf } from '../../api';
import type { Result } from '../../result';

export type Handler<C extends RequestChannel> = (args: ParsedArgsOf<C>) => Promise<Result<ResultOf<C>>>;
export type Handlers = { [C in RequestChannel]: Handler<C> };
export type EventListener = <E extends EventChannel>(event: E, payload: EventPayloads[E]) => void;

/** The channels of one or more domains ("sessions" → sessions.save, sessions.open, …). */
export type DomainChannel<D extends string> = Extract<RequestChannel, `${D}.${string}`>;
/** The handlers of those domains: what a domain module returns; backend.ts checks that together they cover all. */
export type DomainHandlers<D extends string> = Pick<Handlers, DomainChannel<D>>;
