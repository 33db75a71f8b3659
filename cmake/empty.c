/* SPDX-License-Identifier: GPL-3.0-or-later */
/* empty.c: placeholder translation unit for a module whose sources are not written yet. */
typedef int apoflow_empty_unit;
