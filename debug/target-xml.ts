// Target descriptions (GDB manual, "Target Descriptions"): which registers the core has, in
// which order g/G carry them, and the numbers p/P use. gdb recognises an M-profile core by the
// org.gnu.gdb.arm.m-profile feature (r0–r12, sp, lr, pc, xpsr) and reads msp/psp from
// org.gnu.gdb.arm.m-system; the special registers gdb has no feature for (primask, basepri,
// faultmask, control) go in sramlab's own feature, which gdb shows as extra registers.

import type { Arch } from '../emulator/profiles.ts';

export type RegName =
  | 'r0'
  | 'r1'
  | 'r2'
  | 'r3'
  | 'r4'
  | 'r5'
  | 'r6'
  | 'r7'
  | 'r8'
  | 'r9'
  | 'r10'
  | 'r11'
  | 'r12'
  | 'sp'
  | 'lr'
  | 'pc'
  | 'xpsr'
  | 'msp'
  | 'psp'
  | 'primask'
  | 'basepri'
  | 'faultmask'
  | 'control';

export interface RegDef {
  name: RegName;
  /** The number p/P use; g/G carry the registers in this order. */
  regnum: number;
  type: 'int' | 'data_ptr' | 'code_ptr' | 'uint32';
  feature: 'm-profile' | 'm-system' | 'sramlab';
}

const CORE: RegDef[] = [
  ...Array.from({ length: 13 }, (_, i): RegDef => ({ name: `r${i}` as RegName, regnum: i, type: 'uint32', feature: 'm-profile' })),
  { name: 'sp', regnum: 13, type: 'data_ptr', feature: 'm-profile' },
  { name: 'lr', regnum: 14, type: 'int', feature: 'm-profile' },
  { name: 'pc', regnum: 15, type: 'code_ptr', feature: 'm-profile' },
  // 25 is xpsr's number in gdb's own arm-m-profile.xml (16–24 were the FPA registers).
  { name: 'xpsr', regnum: 25, type: 'int', feature: 'm-profile' },
  { name: 'msp', regnum: 26, type: 'data_ptr', feature: 'm-system' },
  { name: 'psp', regnum: 27, type: 'data_ptr', feature: 'm-system' },
];

/** The registers of a core, in g/G order: BASEPRI and FAULTMASK exist only on ARMv7-M. */
export function registersFor(arch: Arch): RegDef[] {
  const special: RegName[] = arch === 'v6m' ? ['primask', 'control'] : ['primask', 'basepri', 'faultmask', 'control'];
  return [...CORE, ...special.map((name, i): RegDef => ({ name, regnum: 28 + i, type: 'uint32', feature: 'sramlab' }))];
}

/** The architecture name gdb's disassembler knows for each profile's instruction set. */
function architecture(arch: Arch): string {
  // gdb has no "armv7-m" (it has armv6s-m and armv7e-m); "armv7" decodes the same Thumb-2 set.
  return arch === 'v6m' ? 'armv6s-m' : arch === 'v7em' ? 'armv7e-m' : 'armv7';
}

const FEATURE_NAME = {
  'm-profile': 'org.gnu.gdb.arm.m-profile',
  'm-system': 'org.gnu.gdb.arm.m-system',
  sramlab: 'org.sramlab.m-special',
} as const;

/** target.xml for a core. */
export function targetXml(arch: Arch): string {
  const regs = registersFor(arch);
  const lines = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    `  <architecture>${architecture(arch)}</architecture>`,
  ];
  for (const feature of ['m-profile', 'm-system', 'sramlab'] as const) {
    lines.push(`  <feature name="${FEATURE_NAME[feature]}">`);
    for (const r of regs.filter((x) => x.feature === feature)) {
      const group = feature === 'sramlab' ? ' group="system"' : '';
      lines.push(`    <reg name="${r.name}" bitsize="32" regnum="${r.regnum}" type="${r.type}"${group}/>`);
    }
    lines.push('  </feature>');
  }
  lines.push('</target>');
  return `${lines.join('\n')}\n`;
}
