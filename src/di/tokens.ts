// Injection tokens the framework provides to handler classes.
import type { InjectionToken } from 'tsyringe';
import type { CallContext } from '../service/call-context';

/** Inject into a per-call handler (`@inject(CALL_CONTEXT)`) to receive the call's context in the constructor. */
export const CALL_CONTEXT: InjectionToken<CallContext> = Symbol('framerpc.CallContext');
