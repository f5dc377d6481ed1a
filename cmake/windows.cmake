# Windows settings (included from CMakeLists.txt when WIN32): MinGW-w64,
# cross (cmake/toolchain-mingw64.cmake, scripts/build-windows-deps) or MSYS2.
if(NOT MINGW)
  message(FATAL_ERROR "sshsync builds for Windows with MinGW-w64 (gcc) only")
endif()
if(SSHSYNC_SANITIZE OR SSHSYNC_FUZZ)
  message(FATAL_ERROR "no sanitizers for Windows: configure without SSHSYNC_SANITIZE/SSHSYNC_FUZZ")
endif()

# The prefix that scripts/build-windows-deps filled (libxml2, jansson,
# cmocka and iniparser, static): searched first, with its own pkg-config
# files only (never the build machine's).
set(SSHSYNC_WINDOWS_DEPS "" CACHE PATH "The prefix of scripts/build-windows-deps")
if(SSHSYNC_WINDOWS_DEPS)
  list(PREPEND CMAKE_FIND_ROOT_PATH ${SSHSYNC_WINDOWS_DEPS})
  list(PREPEND CMAKE_PREFIX_PATH ${SSHSYNC_WINDOWS_DEPS})
  if(CMAKE_CROSSCOMPILING)
    set(ENV{PKG_CONFIG_LIBDIR} "${SSHSYNC_WINDOWS_DEPS}/lib/pkgconfig")
    set(ENV{PKG_CONFIG_PATH} "")
    set(PKG_CONFIG_USE_CMAKE_PREFIX_PATH OFF)
  else()
    set(ENV{PKG_CONFIG_PATH} "${SSHSYNC_WINDOWS_DEPS}/lib/pkgconfig:$ENV{PKG_CONFIG_PATH}")
  endif()
endif()

# C99/POSIX printf and scanf (%zu, %lld, %hhx) rather than msvcrt's, which
# also makes the format checks right; 64-bit off_t; the W functions.
add_compile_definitions(__USE_MINGW_ANSI_STDIO=1 _FILE_OFFSET_BITS=64 UNICODE _UNICODE
  WIN32_LEAN_AND_MEAN _WIN32_WINNT=0x0A00 SSHSYNC_PRINTF_FORMAT=gnu_printf)
# gcc's -O2 flow analysis guesses "may be used uninitialized" where it
# cannot follow an error path (one that sets errno and returns -1): a
# warning there, not a broken Windows build.
add_compile_options(-Wno-error=maybe-uninitialized)
# One sshsync.exe that needs no MinGW DLL (libgcc, libwinpthread).
add_link_options(-static)
# What src/os/*_win32.c call: registry and security (advapi32), SHA-256 and
# random bytes (bcrypt), numeric addresses (ws2_32, also libxml2's), the
# known folders (shell32, ole32), and user names (secur32, netapi32).
set(SSHSYNC_WIN32_LIBS advapi32 bcrypt ws2_32 shell32 ole32 userenv netapi32)

# The application manifest: the UTF-8 ANSI code page (so arguments, file
# names and the C library's narrow functions are UTF-8 on Windows 10 1903+
# and Wine), and a long-path-aware process.
enable_language(RC)
configure_file(${CMAKE_SOURCE_DIR}/cmake/sshsync.rc.in ${CMAKE_BINARY_DIR}/sshsync.rc @ONLY)
set(SSHSYNC_WIN32_RESOURCES ${CMAKE_BINARY_DIR}/sshsync.rc)
