# SPDX-License-Identifier: GPL-3.0-or-later
# Installation: `cmake --install BUILD [--prefix DIR]` puts under the prefix
#   bin/apoflow                          the command
#   lib/libapoflow.a                     one static library: util, fcs, gating, assay, render, report
#   include/apoflow/<module>/<name>.h    the public headers (not the *_internal.h ones)
#   lib/pkgconfig/apoflow.pc             Cflags -I<prefix>/include/apoflow, so a program writes
#                                        #include "fcs/fcs.h" as the headers themselves do
#   share/man/man1/apoflow.1             the man page
# (lib is CMAKE_INSTALL_LIBDIR, e.g. lib/x86_64-linux-gnu for a Debian package.) The .pc file
# finds its prefix from its own location, so a prefix chosen at install time works.
include(GNUInstallDirs)

set(APOFLOW_LIBRARY_MODULES util fcs gating assay render report)

# The combined library, made from the objects of the module libraries the tree links.
set(apoflow_objects "")
foreach(module ${APOFLOW_LIBRARY_MODULES})
  list(APPEND apoflow_objects $<TARGET_OBJECTS:apoflow_${module}>)
endforeach()
add_library(apoflow_library STATIC ${apoflow_objects})
set_target_properties(apoflow_library PROPERTIES OUTPUT_NAME apoflow LINKER_LANGUAGE C)
add_library(apoflow::apoflow ALIAS apoflow_library)

# The public headers of each library module (the *_internal.h headers stay private).
set(APOFLOW_PUBLIC_HEADERS "")
foreach(module ${APOFLOW_LIBRARY_MODULES})
  file(GLOB headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${module}/*.h)
  list(FILTER headers EXCLUDE REGEX "_internal\\.h$")
  list(APPEND APOFLOW_PUBLIC_HEADERS ${headers})
  install(FILES ${headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/apoflow/${module})
endforeach()

install(TARGETS apoflow RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS apoflow_library ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/apoflow.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# apoflow.pc: the path from lib/pkgconfig back to the prefix, unless the directories are absolute.
set(APOFLOW_PC_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(APOFLOW_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH up "/prefix/${APOFLOW_PC_DIR}" "/prefix")
  string(REGEX REPLACE "/$" "" up "${up}")
  set(APOFLOW_PC_PREFIX "\${pcfiledir}/${up}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(APOFLOW_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(APOFLOW_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(APOFLOW_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(APOFLOW_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/apoflow.pc.in ${PROJECT_BINARY_DIR}/apoflow.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/apoflow.pc DESTINATION ${APOFLOW_PC_DIR})
