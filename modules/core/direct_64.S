/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core's direct-call trampoline (x86_64), for entry/exit hooks by
 * ftrace direct calls (modules/core/direct.c). A hooked function's fentry
 * site calls one of the stubs below; the stub loads its slot number and
 * jumps to kscope_direct_common, which
 *
 *   saves the six argument registers in a frame on the stack,
 *   calls kscope_direct_enter(frame),
 *   when it returned 0: calls the rest of the function (the return
 *     address the fentry call left) with the arguments restored, saves
 *     its return value, calls kscope_direct_exit(frame), and returns to
 *     the function's caller with that value,
 *   else: returns into the function, which runs on untraced.
 *
 * As a BPF fexit trampoline does; the per-call data lives in the frame,
 * so there is no pool of return instances to run out of. Only functions
 * whose arguments all travel in registers (six or fewer, none variadic)
 * may be hooked this way: the frame would move arguments on the stack.
 *
 * The frame, from %rsp after the prologue (struct kscope_direct_frame):
 *     0  data[128]    the hook's per-call data
 *   128  slot
 *   136  rax          the function's return value
 *   144  rdx          (the upper half of a 128-bit one)
 *   152  (padding)
 *   160  args[6]      rdi rsi rdx rcx r8 r9
 *   208  (padding)
 *   216  saved %rbp; then the return address into the function, then
 *        the function's own return address
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#if defined(CONFIG_X86_64) && defined(CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS)

#define KD_FRAME	216	/* keeps %rsp 16-byte aligned at the calls */
#define KD_SLOT		128
#define KD_RAX		136
#define KD_RDX		144
#define KD_ARGS		160

.macro KD_SAVE_ARGS
	movq %rdi, KD_ARGS+0(%rsp)
	movq %rsi, KD_ARGS+8(%rsp)
	movq %rdx, KD_ARGS+16(%rsp)
	movq %rcx, KD_ARGS+24(%rsp)
	movq %r8, KD_ARGS+32(%rsp)
	movq %r9, KD_ARGS+40(%rsp)
.endm

.macro KD_RESTORE_ARGS
	movq KD_ARGS+0(%rsp), %rdi
	movq KD_ARGS+8(%rsp), %rsi
	movq KD_ARGS+16(%rsp), %rdx
	movq KD_ARGS+24(%rsp), %rcx
	movq KD_ARGS+32(%rsp), %r8
	movq KD_ARGS+40(%rsp), %r9
.endm

	.text
SYM_FUNC_START(kscope_direct_common)
	pushq %rbp
	movq %rsp, %rbp
	subq $KD_FRAME, %rsp
	KD_SAVE_ARGS
	movq %rax, KD_SLOT(%rsp)
	movq %rsp, %rdi
	call kscope_direct_enter
	testl %eax, %eax
	jnz .Lkd_untraced

	KD_RESTORE_ARGS
	movq 8(%rbp), %r11
	CALL_NOSPEC r11
	movq %rax, KD_RAX(%rsp)
	movq %rdx, KD_RDX(%rsp)
	movq %rsp, %rdi
	call kscope_direct_exit
	movq KD_RAX(%rsp), %rax
	movq KD_RDX(%rsp), %rdx
	leave
	/* the function has run: skip the return into it */
	addq $8, %rsp
	UNWIND_HINT_FUNC
	RET

.Lkd_untraced:
	KD_RESTORE_ARGS
	leave
	RET
SYM_FUNC_END(kscope_direct_common)

/* one stub a slot: KSCOPE_DIRECT_SLOTS (direct.c) of them */
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
SYM_FUNC_START(kscope_direct_stub_\n)
	/* reached by ftrace's direct call, never by an indirect branch */
	ANNOTATE_NOENDBR
	movl $\n, %eax
	jmp kscope_direct_common
SYM_FUNC_END(kscope_direct_stub_\n)
.endr

	.pushsection .rodata
	.balign 8
SYM_DATA_START(kscope_direct_stubs)
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad kscope_direct_stub_\n
.endr
SYM_DATA_END(kscope_direct_stubs)
	.popsection

#endif
