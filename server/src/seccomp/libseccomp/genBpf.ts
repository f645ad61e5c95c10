/**
 * libseccomp's BPF generator, ported from src/gen_bpf.c (v2.5.4; the generator's logic is the same
 * in v2.6.0 and v2.6.1, which only add overflow checks). Blocks of instructions are built per ABI
 * and syscall, de-duplicated by content, laid out, given long jumps where 8-bit offsets cannot
 * reach, and flattened — in the same order as libseccomp, so the program is byte-identical.
 */

import type { BpfInstruction } from '../filterTypes';
import { OP_ALU_AND, OP_JA, OP_JEQ, OP_JGE, OP_JGT, OP_LD_ABS, OP_RET, SECCOMP_DATA_ARCH, SECCOMP_DATA_NR } from '../bpf';
import { Cmp, levelHead, MASK_MAX, SCMP_ARCH_X32, SCMP_ARCH_X86_64, unsignedNum, type ArchDef, type ChainNode, type FilterDb, type SysEntry } from './db';

/** X32_SYSCALL_BIT (arch-x32.h). */
const X32_SYSCALL_BIT = 0x40000000;
/** _BPF_JMP_MAX / _BPF_JMP_MAX_RET: conditional jump offsets are 8 bits. */
const JMP_MAX = 255;
/** SYSCALLS_PER_NODE: syscalls per leaf of the binary tree (optimize=2). */
const PER_NODE = 4;
const BTREE_INVALID = -1;

/** enum bpf_jump_type: how a jump (or k) target is known while blocks are being assembled. */
const enum J {
  NONE = 0,
  K = 1, // immediate k
  NXT = 2, // fall through n blocks
  IMM = 3, // resolved 8-bit offset
  DB = 4, // a tree node not generated yet
  BLK = 5, // a block not hashed yet
  HSH = 6, // a hashed block, by hash
}

interface Jump {
  readonly t: J;
  /** K value, NXT count, IMM offset or HSH id. */
  readonly v: number;
  readonly db?: ChainNode;
  readonly blk?: Block;
}

const J_NONE: Jump = { t: J.NONE, v: 0 };
const jK = (v: number): Jump => ({ t: J.K, v: v >>> 0 });
const jNxt = (v: number): Jump => ({ t: J.NXT, v });
const jHsh = (v: number): Jump => ({ t: J.HSH, v });
const jDb = (db: ChainNode): Jump => ({ t: J.DB, v: 0, db });
const jBlk = (blk: Block): Jump => ({ t: J.BLK, v: 0, blk });

interface Instr {
  op: number;
  jt: Jump;
  jf: Jump;
  k: Jump;
}

/** struct acc_state: what the accumulator holds (a seccomp_data offset, masked), -1 = unknown. */
interface Acc {
  offset: number;
  mask: number;
}
const ACC_UNDEF = (): Acc => ({ offset: -1, mask: MASK_MAX });
const accOffset = (o: number): Acc => ({ offset: o, mask: MASK_MAX });
const accEq = (a: Acc, b: Acc): boolean => a.offset === b.offset && a.mask === b.mask;

/** struct bpf_blk: a run of instructions that is always entered at its first instruction. */
class Block {
  ins: Instr[] = [];
  accStart: Acc = ACC_UNDEF();
  accEnd: Acc = ACC_UNDEF();
  flagHash = false;
  hash = 0;
  /** The content digest the block was filed under (undefined once it no longer matches its content). */
  key: number | undefined;
  prev: Block | null = null;
  next: Block | null = null;
  lvlPrv: Block | null = null;
  lvlNxt: Block | null = null;
  /** Instructions after this block, used while placing long jumps. */
  end = 0;
  /** First instruction index, used for the final offsets. */
  start = 0;
}

interface HashEntry {
  readonly blk: Block;
  found: boolean;
}

/** What the generator needs besides the databases (struct db_filter_attr and the collection). */
export interface GenInput {
  /** The ABI databases in collection order. */
  readonly dbs: readonly FilterDb[];
  readonly actDefault: number;
  readonly actBadArch: number;
  /** SCMP_FLTATR_CTL_OPTIMIZE (1 linear, 2 binary tree). */
  readonly optimize: number;
  /** Byte order of the host libseccomp runs on; only matters for a quirk with duplicated returns. */
  readonly hostEndian: 'little' | 'big';
}

const bswap32 = (v: number): number =>
  (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | ((v >>> 24) & 0xff)) >>> 0;

/** Jumps that may be part of a hashed block (DB/BLK targets are resolved before hashing). */
function checkHashable(j: Jump): void {
  if (j.t === J.DB || j.t === J.BLK) throw new Error('gen_bpf: hashing a block with an unresolved jump');
}

const mix = (h: number, v: number): number => Math.imul(h ^ v, 0x01000193) >>> 0;

/** A 32-bit digest of what _hsh_add() hashes and memcmp()s: instructions plus accumulator states. */
function contentHash(b: Block): number {
  let h = 0x811c9dc5;
  h = mix(h, b.accStart.offset);
  h = mix(h, b.accStart.mask);
  h = mix(h, b.accEnd.offset);
  h = mix(h, b.accEnd.mask);
  for (const i of b.ins) {
    checkHashable(i.jt);
    checkHashable(i.jf);
    h = mix(h, i.op);
    h = mix(h, (i.jt.t << 4) | (i.jf.t << 8) | (i.k.t << 12));
    h = mix(h, i.jt.v);
    h = mix(h, i.jf.v);
    h = mix(h, i.k.v);
  }
  return h;
}

const jumpEq = (a: Jump, b: Jump): boolean => a.t === b.t && a.v === b.v;

/** The memcmp() of two blocks' instructions and accumulator states. */
function sameContent(a: Block, b: Block): boolean {
  if (a.ins.length !== b.ins.length || !accEq(a.accStart, b.accStart) || !accEq(a.accEnd, b.accEnd)) return false;
  for (let n = 0; n < a.ins.length; n++) {
    const x = a.ins[n]!;
    const y = b.ins[n]!;
    if (x.op !== y.op || !jumpEq(x.jt, y.jt) || !jumpEq(x.jf, y.jf) || !jumpEq(x.k, y.k)) return false;
  }
  return true;
}

/** Generator state (struct bpf_state); the hash table is keyed by content, hashes are ids. */
class Gen {
  private readonly byKey = new Map<number, HashEntry[]>();
  private readonly byHash = new Map<number, HashEntry>();
  private nextHash = 0;
  badArchHsh = 0;
  defHsh = 0;
  arch!: ArchDef;
  bHead: Block | null = null;
  bTail: Block | null = null;
  bNew: Block | null = null;

  constructor(readonly input: GenInput) {}

  /**
   * _hsh_add(): give a block its hash. An identical block already hashed is returned instead
   * (and the new one dropped), unless `found` is set: then the new block stays (it is part of the
   * main line) and shares the hash, which is how libseccomp lets jumps reach either copy.
   */
  hshAdd(blk: Block, found: boolean): Block {
    if (blk.flagHash) return blk;
    const key = contentHash(blk);
    blk.flagHash = true;
    let bucket = this.byKey.get(key);
    const e = bucket?.find((x) => sameContent(x.blk, blk));
    if (e !== undefined) {
      blk.hash = e.blk.hash;
      if (found) return blk;
      return e.blk;
    }
    blk.hash = ++this.nextHash;
    blk.key = key;
    const entry: HashEntry = { blk, found };
    if (bucket === undefined) {
      bucket = [];
      this.byKey.set(key, bucket);
    }
    bucket.push(entry);
    this.byHash.set(blk.hash, entry);
    return blk;
  }

  /**
   * A hashed block whose compared fields changed afterwards no longer matches anything: in C its
   * stored hash is that of the old content while memcmp() sees the new one.
   */
  forgetContent(blk: Block): void {
    if (blk.key !== undefined) {
      const bucket = this.byKey.get(blk.key);
      const at = bucket?.findIndex((x) => x.blk === blk) ?? -1;
      if (at >= 0) bucket!.splice(at, 1);
    }
    blk.key = undefined;
  }

  /** _hsh_find_once(): a hashed block not yet placed in the program, marking it placed. */
  findOnce(h: number): Block | null {
    const e = this.byHash.get(h);
    if (e === undefined || e.found) return null;
    e.found = true;
    return e.blk;
  }

  newHash(): number {
    return ++this.nextHash;
  }

  // ----------------------------------------------------------------------------------------
  // Instruction blocks

  static append(blk: Block | null, i: Instr): Block {
    const b = blk ?? new Block();
    b.ins.push(i);
    return b;
  }

  /** _gen_bpf_action(): a return instruction. */
  action(blk: Block | null, action: number): Block {
    return Gen.append(blk, { op: OP_RET, jt: J_NONE, jf: J_NONE, k: jK(action) });
  }

  actionHsh(action: number): Block {
    return this.hshAdd(this.action(null, action), false);
  }

  /** _gen_bpf_node(): one tree node: reload/mask the accumulator if needed, then the comparison. */
  node(node: ChainNode, a: Acc): Block {
    let blk = new Block();
    blk.accStart = { offset: a.offset, mask: a.mask };
    let actTHash = 0;
    let actFHash = 0;
    if (node.actTFlg) actTHash = this.actionHsh(node.actT).hash;
    if (node.actFFlg) actFHash = this.actionHsh(node.actF).hash;
    const off = node.offset;
    const mask = node.mask;
    if (off !== a.offset || ((mask & a.mask) >>> 0) !== mask) {
      a.offset = off;
      a.mask = MASK_MAX;
      blk = Gen.append(blk, { op: OP_LD_ABS, jt: J_NONE, jf: J_NONE, k: jK(off) });
      blk.accStart = ACC_UNDEF();
    }
    if (mask !== a.mask) {
      a.mask = mask;
      blk = Gen.append(blk, { op: OP_ALU_AND, jt: J_NONE, jf: J_NONE, k: jK(mask) });
    }
    blk.accEnd = { offset: a.offset, mask: a.mask };
    let op: number;
    switch (node.op) {
      case Cmp.MASKED_EQ:
      case Cmp.EQ:
        op = OP_JEQ;
        break;
      case Cmp.GT:
        op = OP_JGT;
        break;
      case Cmp.GE:
        op = OP_JGE;
        break;
      default:
        throw new Error('gen_bpf: unexpected comparison in the tree');
    }
    const jt = node.nxtT !== null ? jDb(node.nxtT) : node.actTFlg ? jHsh(actTHash) : jNxt(0);
    const jf = node.nxtF !== null ? jDb(node.nxtF) : node.actFFlg ? jHsh(actFHash) : jNxt(0);
    return Gen.append(blk, { op, jt, jf, k: jK(node.datum) });
  }

  /** _gen_bpf_chain_lvl_res(): turn a level block's tree/block jumps into hash jumps and hash it. */
  lvlRes(sys: SysEntry, blk: Block, nxt: Jump): Block {
    if (blk.flagHash) return blk;
    for (const i of blk.ins) {
      i.jt = this.resolveJump(sys, blk, i.jt, nxt);
      i.jf = this.resolveJump(sys, blk, i.jf, nxt);
      if (i.k.t !== J.NONE && i.k.t !== J.K && i.k.t !== J.HSH) throw new Error('gen_bpf: bad k target');
    }
    return this.hshAdd(blk, false);
  }

  private resolveJump(sys: SysEntry, blk: Block, j: Jump, nxt: Jump): Jump {
    switch (j.t) {
      case J.NONE:
      case J.IMM:
      case J.HSH:
        return j;
      case J.BLK:
        return jHsh(this.lvlRes(sys, j.blk!, nxt).hash);
      case J.DB:
        return jHsh(this.chain(sys, j.db!, nxt, blk.accEnd).hash);
      default:
        throw new Error('gen_bpf: bad jump target');
    }
  }

  /**
   * _gen_bpf_chain(): the blocks for one level of a tree (alternatives tested in order, each
   * falling through to the next and the last to `nxt`), sub-levels generated on demand; returns
   * the level's first block. With no tree, the syscall's action.
   */
  chain(sys: SysEntry, chain: ChainNode | null, nxt: Jump, aState: Acc): Block {
    let bHead: Block | null = null;
    let bTail: Block | null = null;
    const acc: Acc = { offset: aState.offset, mask: aState.mask };
    if (chain === null) {
      bHead = this.action(null, sys.action);
      bTail = bHead;
    } else {
      let c: ChainNode | null = levelHead(chain);
      do {
        const b = this.node(c, acc);
        if (bHead !== null) {
          b.lvlPrv = bTail;
          bTail!.lvlNxt = b;
          bTail = b;
        } else {
          bHead = b;
          bTail = b;
        }
        c = c.lvlNxt;
      } while (c !== null);
      // fall-through (TGT_NXT) jumps go to the next block of the level, the last one to `nxt`
      for (let b: Block | null = bHead; b !== null; b = b.lvlNxt) {
        const next: Block | null = b.lvlNxt;
        for (const i of b.ins) {
          if (i.jt.t === J.NXT) i.jt = next === null ? nxt : jBlk(next);
          if (i.jf.t === J.NXT) i.jf = next === null ? nxt : jBlk(next);
        }
      }
    }
    // resolve from the last block back to the first (each may be replaced by an identical one)
    let b: Block | null = bTail;
    do {
      const bPrev: Block | null = b!.lvlPrv;
      const bNext: Block | null = b!.lvlNxt;
      const r = this.lvlRes(sys, b!, bNext === null ? nxt : jBlk(bNext));
      if (bPrev !== null) bPrev.lvlNxt = r;
      r.lvlPrv = bPrev;
      r.lvlNxt = bNext;
      if (bNext !== null) bNext.lvlPrv = r;
      if (r.lvlPrv === null) bHead = r;
      b = bPrev;
    } while (b !== null);
    return bHead!;
  }

  /** _gen_bpf_syscall(): `jeq nr` into the syscall's tree (or action), else to `nxtHash`. */
  syscall(sys: SysEntry, nxtHash: number, accReset: boolean): Block {
    let blkS = new Block();
    let a: Acc;
    if (accReset) {
      blkS = Gen.append(blkS, { op: OP_LD_ABS, jt: J_NONE, jf: J_NONE, k: jK(SECCOMP_DATA_NR) });
      a = accOffset(SECCOMP_DATA_NR);
      blkS.accStart = ACC_UNDEF();
      blkS.accEnd = accOffset(SECCOMP_DATA_NR);
    } else {
      a = ACC_UNDEF();
      blkS.accStart = accOffset(SECCOMP_DATA_NR);
      blkS.accEnd = accOffset(SECCOMP_DATA_NR);
    }
    const blkC = this.chain(sys, sys.chains, jHsh(this.defHsh), a);
    blkS = Gen.append(blkS, { op: OP_JEQ, jt: jHsh(blkC.hash), jf: jHsh(nxtHash), k: jK(sys.num) });
    return this.hshAdd(blkS, true);
  }

  /** _gen_bpf_insert(): append to (or start) a block, push it on the list head, hash it as placed. */
  insert(i: Instr, existing: Block | null): Block {
    const b = Gen.append(existing, i);
    b.next = this.bHead;
    if (this.bHead !== null) this.bHead.prev = b;
    this.bHead = b;
    return this.hshAdd(b, true);
  }

  /** _gen_bpf_bintree(): after each syscall block, add the `jgt` levels that close full nodes. */
  bintree(hashes: number[], syscalls: number[], levels: number, total: number, cur: number): number {
    let added = 0;
    let bBin: Block | null = null;
    for (let i = levels - 1; i >= 0; i--) {
      const level = PER_NODE << i;
      if (total % level === 0) {
        syscalls[i] = cur;
        hashes[i] = this.bNew!.hash;
        let j = 0;
        for (j = 0; j < i; j++) {
          if (syscalls[j] === BTREE_INVALID || hashes[j] === BTREE_INVALID) continue;
          const jt = jHsh(bBin === null ? this.bNew!.hash : bBin.hash);
          added++;
          bBin = this.insert({ op: OP_JGT, jt, jf: jHsh(hashes[j]!), k: jK(syscalls[j]!) }, null);
        }
        if (bBin !== null) hashes[j] = bBin.hash;
        break;
      }
    }
    return added;
  }

  /** _gen_bpf_syscalls(): the syscall blocks of one ABI (plus its x86-64/x32 partner), head first. */
  syscalls(db: FilterDb, db2: FilterDb | null): { blks: number; levels: number } {
    this.arch = db.arch;
    this.bHead = null;
    this.bTail = null;
    this.bNew = null;
    let blks = 0;
    const optimize = this.input.optimize;
    const list = sortSyscalls(db, db2, optimize);
    const sHead = list.length > 0 ? list[0]! : null;
    let levels = 0;
    let emptyCnt = 0;
    let hashes: number[] = [];
    let nums: number[] = [];
    if (optimize === 2) {
      let cnt = 0;
      for (const s of list) if (!skipSyscall(s)) cnt++;
      levels = bintreeLevels(cnt);
      if (levels > 0) {
        emptyCnt = ((PER_NODE * 2) << (levels - 1)) - cnt;
        hashes = new Array<number>(levels).fill(BTREE_INVALID);
        nums = new Array<number>(levels).fill(BTREE_INVALID);
      }
    }
    let accReset = !((this.arch.token === SCMP_ARCH_X86_64 || this.arch.token === SCMP_ARCH_X32) && db2 === null);
    if (levels > 0) accReset = false; // the tree's own `ld nr` comes first
    let cnt = 0;
    for (let idx = list.length - 1; idx >= 0; idx--) {
      const s = list[idx]!;
      if (skipSyscall(s)) continue;
      let nxt: number;
      if (levels > 0 && (cnt + emptyCnt) % PER_NODE === 0) nxt = this.defHsh;
      else nxt = this.bHead === null ? this.defHsh : this.bHead.hash;
      this.bNew = this.syscall(s, nxt, s === sHead ? accReset : false);
      this.bNew.prev = null;
      this.bNew.next = this.bHead;
      if (this.bTail !== null) {
        this.bHead!.prev = this.bNew;
        this.bHead = this.bNew;
      } else {
        this.bHead = this.bNew;
        this.bTail = this.bHead;
      }
      if (this.bTail.next !== null) this.bTail = this.bTail.next;
      blks++;
      cnt++;
      if (levels > 0) blks += this.bintree(hashes, nums, levels, cnt + emptyCnt, unsignedNum(s.num));
    }
    return { blks, levels };
  }

  /** _gen_bpf_arch(): one ABI's section: `jeq arch` then its prologue, tree and syscalls. */
  archSection(db: FilterDb, db2: FilterDb | null): Block {
    this.arch = db.arch;
    const { blks, levels } = this.syscalls(db, db2);
    let blkCnt = blks;
    if (levels > 0) {
      blkCnt++;
      const b = this.insert({ op: OP_LD_ABS, jt: J_NONE, jf: J_NONE, k: jK(SECCOMP_DATA_NR) }, null);
      b.accStart = ACC_UNDEF();
      b.accEnd = accOffset(SECCOMP_DATA_NR);
      this.forgetContent(b);
    }
    const tok = this.arch.token;
    if ((tok === SCMP_ARCH_X86_64 || tok === SCMP_ARCH_X32) && db2 === null) {
      // x86-64 and x32 share AUDIT_ARCH_X86_64: split them on X32_SYSCALL_BIT
      let pro = Gen.append(null, { op: OP_LD_ABS, jt: J_NONE, jf: J_NONE, k: jK(SECCOMP_DATA_NR) });
      pro.accEnd = accOffset(SECCOMP_DATA_NR);
      const first = this.bHead !== null ? this.bHead.hash : this.defHsh;
      let last: Instr;
      if (tok === SCMP_ARCH_X86_64) {
        pro = Gen.append(pro, { op: OP_JGE, jt: J_NONE, jf: jHsh(first), k: jK(X32_SYSCALL_BIT) });
        // -1 is let through: tracers use it to skip a syscall (Linux >= 4.8 reruns the filter)
        last = { op: OP_JEQ, jt: jHsh(first), jf: jHsh(this.badArchHsh), k: jK(0xffffffff) };
      } else {
        last = { op: OP_JGE, jt: jHsh(first), jf: jHsh(this.badArchHsh), k: jK(X32_SYSCALL_BIT) };
      }
      blkCnt++;
      this.bNew = this.insert(last, pro);
    }
    const first = this.bHead !== null ? this.bHead.hash : this.defHsh;
    this.bNew = this.insert({ op: OP_JEQ, jt: jHsh(first), jf: jNxt(blkCnt), k: jK(this.arch.tokenBpf) }, null);
    return this.bHead!;
  }

  /** _gen_bpf_build_bpf(): the whole program. */
  build(): BpfInstruction[] {
    const input = this.input;
    const colEndian = input.dbs[0]!.arch.endian;
    const badArch = this.hshAdd(this.action(null, input.actBadArch), true);
    this.badArchHsh = badArch.hash;
    const def = this.hshAdd(this.action(null, input.actDefault), false);
    this.defHsh = def.hash;

    let head = Gen.append(null, { op: OP_LD_ABS, jt: J_NONE, jf: J_NONE, k: jK(SECCOMP_DATA_ARCH) });
    head.accEnd = accOffset(SECCOMP_DATA_ARCH);
    head = this.hshAdd(head, true);
    let tail = head;

    // x86-64 and x32 in one collection share one section, led by whichever comes first
    let iX64 = -1;
    let iX32 = -1;
    input.dbs.forEach((d, i) => {
      if (d.arch.token === SCMP_ARCH_X86_64) iX64 = i;
      if (d.arch.token === SCMP_ARCH_X32) iX32 = i;
    });
    let db2: FilterDb | null = null;
    for (let i = 0; i < input.dbs.length; i++) {
      if (i === iX64) {
        if (iX32 > i) db2 = input.dbs[iX32]!;
        else if (iX32 >= 0) continue;
      } else if (i === iX32) {
        if (iX64 > i) db2 = input.dbs[iX64]!;
        else if (iX64 >= 0) continue;
      } else db2 = null;
      const b = this.archSection(input.dbs[i]!, db2);
      b.prev = tail;
      tail.next = b;
      tail = b;
      while (tail.next !== null) tail = tail.next;
    }
    badArch.prev = tail;
    badArch.next = null;
    tail.next = badArch;
    tail = badArch;

    // top-level fall-through jumps (the `jeq arch` misses) become hash jumps to the next section
    for (let b: Block | null = head; b !== null && b.next !== null; b = b.next) {
      for (const i of b.ins) {
        if (i.jt.t === J.NXT) i.jt = jHsh(findNxt(b, i.jt.v).hash);
        if (i.jf.t === J.NXT) i.jf = jHsh(findNxt(b, i.jf.v).hash);
      }
    }

    this.pullBlocks(tail);
    this.longJumps(head, tail, colEndian);
    return this.flatten(head, tail);
  }

  /**
   * Pull every referenced block into the list, right after the first block (scanning from the
   * tail, last instruction first, jt before jf) that jumps to it, prepending an accumulator reload
   * where the jumping block leaves the accumulator in another state. libseccomp restarts the scan
   * from the tail after each insertion; every block between the new one and the tail has already
   * been scanned clean, so continuing at the new block visits blocks in the same order.
   */
  private pullBlocks(tail: Block): void {
    let b: Block | null = tail;
    while (b !== null) {
      let pulled: Block | null = null;
      for (let idx = b.ins.length - 1; idx >= 0 && pulled === null; idx--) {
        const i = b.ins[idx]!;
        if (i.jt.t === J.HSH) pulled = this.findOnce(i.jt.v);
        if (pulled === null && i.jf.t === J.HSH) pulled = this.findOnce(i.jf.v);
        if (pulled === null && i.k.t === J.HSH) pulled = this.findOnce(i.k.v);
      }
      if (pulled === null) {
        b = b.prev;
        continue;
      }
      if (pulled.accStart.offset !== -1 && !accEq(b.accEnd, pulled.accStart)) {
        const pre: Instr[] = [{ op: OP_LD_ABS, jt: J_NONE, jf: J_NONE, k: jK(pulled.accStart.offset) }];
        if (pulled.accStart.mask !== MASK_MAX) pre.push({ op: OP_ALU_AND, jt: J_NONE, jf: J_NONE, k: jK(pulled.accStart.mask) });
        pulled.ins = pre.concat(pulled.ins);
        pulled.accStart = ACC_UNDEF();
      }
      pulled.prev = b;
      pulled.next = b.next;
      b.next = pulled;
      if (pulled.next !== null) pulled.next.prev = pulled;
      b = pulled;
    }
  }

  /**
   * _gen_bpf_build_jmp()/_gen_bpf_build_jmp_ret(): walking back from the tail, every conditional
   * jump farther than 255 instructions gets a closer copy of its return instruction or a `ja`
   * stepping stone (both carry the target's hash, so later jumps may use them too). Distances
   * come from per-block "instructions after" counts and per-hash nearest/last occurrences instead
   * of libseccomp's list walks; the decisions are the same.
   */
  private longJumps(head: Block, tail: Block, colEndian: 'little' | 'big'): void {
    const last = new Map<number, Block>();
    for (let b: Block | null = head; b !== null; b = b.next) last.set(b.hash, b);
    const nearest = new Map<number, Block>();
    const dist = (blk: Block, offset: number, tgt: Block): number => blk.ins.length - (offset + 1) + (blk.end - (tgt.end + tgt.ins.length));
    const insertAfter = (blk: Block, nb: Block): void => {
      nb.prev = blk;
      nb.next = blk.next;
      blk.next!.prev = nb;
      blk.next = nb;
      nb.end = blk.end;
      blk.end = nb.end + nb.ins.length;
      nearest.set(nb.hash, nb);
    };
    const buildJmp = (blk: Block, offset: number, h: number): number => {
      const tgt = last.get(h);
      if (tgt === undefined || tgt === blk) throw new Error('gen_bpf: jump target not found');
      if (tgt.ins.length === 1 && tgt.ins[0]!.op === OP_RET) {
        if (dist(blk, offset, tgt) > JMP_MAX) {
          const near = nearest.get(h);
          if (near === undefined || dist(blk, offset, near) > JMP_MAX) {
            // a closer copy of the return; libseccomp re-encodes the already byte-swapped k
            let k = tgt.ins[0]!.k.v;
            if (colEndian !== this.input.hostEndian) k = bswap32(k);
            const nb = this.action(null, k);
            nb.hash = h;
            insertAfter(blk, nb);
            return 1;
          }
        }
      }
      if (dist(blk, offset, tgt) <= JMP_MAX) return 0;
      const near = nearest.get(h);
      if (near !== undefined && dist(blk, offset, near) <= JMP_MAX) return 0;
      const nb = Gen.append(null, { op: OP_JA, jt: J_NONE, jf: J_NONE, k: jHsh(h) });
      nb.hash = h;
      insertAfter(blk, nb);
      return 1;
    };

    let b: Block | null = tail;
    b.end = 0;
    while (b !== null) {
      let res = 0;
      for (let idx = b.ins.length - 1; idx >= 0; idx--) {
        const i: Instr = b.ins[idx]!;
        if (i.jt.t === J.HSH) res += buildJmp(b, idx, i.jt.v);
        else if (i.jt.t !== J.NONE && i.jt.t !== J.IMM) throw new Error('gen_bpf: unresolved jump');
        if (i.jf.t === J.HSH) res += buildJmp(b, idx, i.jf.v);
        else if (i.jf.t !== J.NONE && i.jf.t !== J.IMM) throw new Error('gen_bpf: unresolved jump');
      }
      if (res === 0) {
        const p: Block | null = b.prev;
        nearest.set(b.hash, b);
        if (p !== null) p.end = b.end + b.ins.length;
        b = p;
      }
    }
  }

  /** The final pass: every hash jump becomes the offset to the first block after it with that hash. */
  private flatten(head: Block, tail: Block): BpfInstruction[] {
    let pos = 0;
    for (let b: Block | null = head; b !== null; b = b.next) {
      b.start = pos;
      pos += b.ins.length;
    }
    const last = new Map<number, Block>();
    for (let b: Block | null = head; b !== null; b = b.next) last.set(b.hash, b);
    const out: BpfInstruction[] = new Array<BpfInstruction>(pos);
    const nearest = new Map<number, Block>();
    for (let b: Block | null = tail; b !== null; b = b.prev) {
      for (let idx = 0; idx < b.ins.length; idx++) {
        const i = b.ins[idx]!;
        const from = b.start + idx + 1;
        const off = (j: Jump): number => {
          if (j.t === J.NONE) return 0;
          if (j.t === J.IMM) return j.v;
          const t = nearest.get(j.v);
          const d = t === undefined ? -1 : t.start - from;
          if (d < 0 || d > JMP_MAX) throw new Error('gen_bpf: jump out of range');
          return d;
        };
        let k: number;
        if (i.k.t === J.HSH) {
          const t = last.get(i.k.v);
          if (t === undefined) throw new Error('gen_bpf: ja target not found');
          k = t.start - from;
        } else k = i.k.v;
        out[b.start + idx] = { code: i.op, jt: off(i.jt), jf: off(i.jf), k: k >>> 0 };
      }
      nearest.set(b.hash, b);
    }
    return out;
  }
}

/** _gen_bpf_find_nxt(): the block `n` blocks past the next one. */
function findNxt(blk: Block, n: number): Block {
  let it: Block | null = blk.next;
  for (; it !== null && n > 0; n--) it = it.next;
  if (it === null) throw new Error('gen_bpf: fall-through target missing');
  return it;
}

/** _skip_syscall(): phantom entries and pseudo syscalls (negative numbers) are never emitted. */
function skipSyscall(s: SysEntry): boolean {
  return !s.valid || s.num < 0;
}

/** _get_bintree_levels(). */
function bintreeLevels(cnt: number): number {
  if (cnt === 0) return 0;
  let i = 2;
  let max = PER_NODE * 2;
  while (max < cnt) {
    max *= 2;
    i++;
  }
  return i;
}

/**
 * _sys_sort(): libseccomp's insertion sort over the database lists (ascending unsigned number,
 * primary ABI first) — descending priority for linear filters, descending number for the tree —
 * which is a stable sort; the returned array is head first.
 */
function sortSyscalls(db: FilterDb, db2: FilterDb | null, optimize: number): SysEntry[] {
  const byNum = (d: FilterDb): SysEntry[] => [...d.syscalls.values()].sort((a, b) => unsignedNum(a.num) - unsignedNum(b.num));
  const list = db2 === null ? byNum(db) : byNum(db).concat(byNum(db2));
  if (optimize !== 2) list.sort((a, b) => b.priority - a.priority);
  else list.sort((a, b) => unsignedNum(b.num) - unsignedNum(a.num));
  return list;
}

/** Generate the program libseccomp's gen_bpf_generate() produces for these databases. */
export function generate(input: GenInput): BpfInstruction[] {
  if (input.dbs.length === 0) throw new Error('gen_bpf: no ABI in the filter');
  return new Gen(input).build();
}
