/* SPDX-License-Identifier: GPL-2.0 */
/* The XDP object, linked into the reader so that nothing is looked up at run time. */
	.section .rodata
	.balign 8
	.global ks_xdp_obj
	.global ks_xdp_obj_end
ks_xdp_obj:
	.incbin "bpf/xdp_echo.bpf.o"
ks_xdp_obj_end:
	.section .note.GNU-stack,"",@progbits
