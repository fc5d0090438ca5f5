// One process-wide tuning of the C allocator for the CLI's streaming, and only that.
//
// Every 64 KiB chunk that Node's cipher returns is a fresh malloc'd buffer, freed as soon as its
// write is done (stream.ts `release`). glibc's malloc gives the top of its heap back to the kernel
// whenever more than its trim threshold is free there: 128 KiB by default, so with a few chunks'
// buffers in flight the heap shrinks and grows again all through a large open, and each regrowth
// is page faults (12-70 thousand per GiB; an open of 1 GiB on tmpfs took 0.55-0.63 s in the many-
// fault runs against 0.53-0.58 s without). glibc raises the threshold by itself (mallopt(3),
// M_MMAP_THRESHOLD: "dynamic adjustment") when a block it had mapped with mmap is freed: the mmap
// threshold becomes that block's size and the trim threshold twice that. So one 8 MiB block,
// allocated and freed at start-up, sets them to 8 and 16 MiB: at most 16 MiB of freed heap may stay
// in the process, and the faults stay at their start-up ~10 thousand. Peak RSS did not change
// (BENCHMARKS.md). On other allocators (macOS, musl, Windows) this is an 8 MiB allocation and its
// free, nothing more. The Electron app does not call it: its ArrayBuffers come from Chromium's
// allocator.

const PRIME_BYTES = 8 * 1024 * 1024;

/** Allocate one large block and free it at once (see the module comment). */
export function primeAllocator(): void {
  const b = Buffer.allocUnsafeSlow(PRIME_BYTES);
  (b.buffer as ArrayBuffer & { transfer?: (n: number) => ArrayBuffer }).transfer?.(0);
}
