# SPDX-License-Identifier: GPL-3.0-or-later
# apoflow_warnings: the warning flags every target links PRIVATE.
add_library(apoflow_warnings INTERFACE)
target_compile_options(apoflow_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
  -Wformat=2 -Wundef -Wwrite-strings -Wimplicit-fallthrough -Wno-format-nonliteral)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  # Messages are cut to their fixed buffers on purpose (errors never allocate).
  target_compile_options(apoflow_warnings INTERFACE -Wno-format-truncation)
endif()
if(APOFLOW_WERROR)
  target_compile_options(apoflow_warnings INTERFACE -Werror)
endif()
