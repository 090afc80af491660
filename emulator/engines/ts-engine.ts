// The TypeScript CPU behind the Engine interface, for the conformance harness: a bare core
// with flash and SRAM only (like the reference, which has no System Control Space), stepping
// one instruction at a time and reporting, not taking, exceptions.

import { Bus } from '../bus.ts';
import { Cpu } from '../cpu.ts';
import type { CpuState, Engine, StepResult } from '../engine.ts';
import { InstructionFault, MemFault } from '../fault.ts';
import type { Profile } from '../profiles.ts';

export function createTsEngine(profile: Profile): Engine {
  const bus = new Bus(profile);
  const cpu = new Cpu(profile, bus);
  let svcTaken = false;
  cpu.onSvc = () => {
    svcTaken = true;
    return true;
  };
  cpu.faultMode = 'stop';
  return {
    name: 'sramlab',
    profile,
    writeMemory: (a, bytes) => bus.load(a, bytes),
    readMemory: (a, n) => bus.peek(a, n),
    getState(): CpuState {
      const r = Array.from(cpu.r, (x) => x >>> 0);
      r[13] = cpu.sp;
      r[15] = cpu.pc >>> 0;
      return { r, n: cpu.fN, z: cpu.fZ, c: cpu.fC, v: cpu.fV, q: cpu.fQ, ge: cpu.ge, primask: cpu.primask, control: cpu.control };
    },
    setState(s: CpuState): void {
      cpu.setSpsel((s.control >>> 1) & 1);
      cpu.control = s.control;
      for (let k = 0; k < 13; k++) cpu.r[k] = s.r[k];
      cpu.r[13] = s.r[13] & ~3;
      cpu.r[14] = s.r[14];
      cpu.pc = (s.r[15] & ~1) >>> 0;
      cpu.tbit = 1;
      cpu.fN = s.n;
      cpu.fZ = s.z;
      cpu.fC = s.c;
      cpu.fV = s.v;
      cpu.fQ = profile.hasThumb2 ? s.q : 0;
      cpu.ge = profile.hasDsp ? s.ge : 0;
      cpu.primask = s.primask;
      cpu.ipsr = 0;
      cpu.itstate = 0;
      cpu.clearExclusiveLocal();
      cpu.stopReason = null;
    },
    step(): StepResult {
      svcTaken = false;
      cpu.stopReason = null;
      const e = cpu.stepOne();
      if (svcTaken) return { stop: 'svc' };
      // WFI/WFE retire like any hint: with nothing to wake the core it would sleep, but one step is one instruction.
      if (e === null) return { stop: 'ok' };
      if (e instanceof MemFault)
        return {
          stop: 'fault',
          fault: cpu.report(e.kind, `${e.kind} ${e.access} at 0x${e.address.toString(16)}`, cpu.pc, {
            address: e.address,
            size: e.size,
            access: e.access,
          }),
        };
      if (e instanceof InstructionFault && e.kind === 'bkpt') return { stop: 'bkpt' };
      return { stop: 'undefined', fault: cpu.report(e.kind, e.detail, cpu.pc) };
    },
    close(): void {
      /* nothing to release */
    },
    clearITState(): void {
      cpu.itstate = 0;
    },
  };
}
