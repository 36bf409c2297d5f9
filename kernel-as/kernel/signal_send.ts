// Sending a signal to a thread group (Linux's send_signal() and the default actions of
// get_signal()). Until handlers can be run, a signal that would reach one is left pending and
// reported in the debug log; default actions are applied at once.
import { SIG_DFL, SIG_IGN, signalStatus } from "../abi/linux";
import { debugEnabled } from "./config";
import { exitThreadGroup } from "./kernel";
import { ThreadGroup } from "./task";
import { ACT_CONTINUE, ACT_IGNORE, ACT_STOP, defaultAction, sigBit, sigUnblockable } from "./signal";
import { LOG_DEBUG, logLine } from "../util/log";

/** Delivers sig to tg as sent from inside the sandbox. Precondition: 1 <= sig <= 64. */
export function sendSignal(tg: ThreadGroup, sig: i32): void {
  const act = tg.handlers.get(sig);
  if (!sigUnblockable(sig) && act.handler == SIG_IGN) return;
  if ((tg.leader.sigmask & sigBit(sig)) != 0 || (!sigUnblockable(sig) && act.handler != SIG_DFL)) {
    tg.pending |= sigBit(sig);
    if (act.handler != SIG_DFL && debugEnabled()) {
      logLine(LOG_DEBUG, "signal " + sig.toString() + " to pid " + tg.tgid.toString() +
        " left pending: running signal handlers is not implemented yet");
    }
    return;
  }
  applyDefault(tg, sig);
}

/** Acts on pending signals that are no longer blocked and have the default disposition. */
export function deliverUnblocked(tg: ThreadGroup): void {
  const ready = tg.pending & ~tg.leader.sigmask;
  if (ready == 0) return;
  for (let sig = 1; sig <= 64; sig++) {
    if ((ready & sigBit(sig)) == 0) continue;
    if (tg.handlers.get(sig).handler != SIG_DFL) continue;
    tg.pending &= ~sigBit(sig);
    applyDefault(tg, sig);
    if (tg.exitStatus >= 0) return;
  }
}

function applyDefault(tg: ThreadGroup, sig: i32): void {
  const action = defaultAction(sig);
  if (action == ACT_IGNORE || action == ACT_CONTINUE) return;
  // The init of a pid namespace only gets the signals it has handlers for from inside its
  // namespace (SIGNAL_UNKILLABLE), not even SIGKILL.
  if (tg.tgid == 1) return;
  if (action == ACT_STOP) return; // job control stops arrive with the processes work
  // No core file is written, so the wait status carries no core flag (WCOREDUMP).
  exitThreadGroup(tg, signalStatus(sig, false));
}

