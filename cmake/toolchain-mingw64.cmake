# Cross-compiling sshsync.exe for x86_64 Windows with MinGW-w64 (Debian's
# gcc-mingw-w64-x86-64). Tests run under Wine (CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(_host x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_host}-gcc)
set(CMAKE_CXX_COMPILER ${_host}-g++)
set(CMAKE_RC_COMPILER ${_host}-windres)
set(CMAKE_AR ${_host}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${_host}-ranlib CACHE FILEPATH "")
set(CMAKE_FIND_ROOT_PATH /usr/${_host})
# Libraries and headers only from the sysroot and the dependency prefix;
# programs (pkg-config, wine) from the build machine.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  find_program(_wine NAMES wine wine64 PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
  if(_wine)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${_wine})
  endif()
endif()
