# The Debian package for running gempool without Docker: the four binaries in
# /usr/bin, systemd units for the three services (deploy/debian/*.service and
# gempool.target), the settings file /etc/gempool/gempool.env (a conffile made
# from .env.example for one host) and maintainer scripts that create the
# system user `gempool` and /var/lib/gempool.
#
#   cmake --build build --target package   (or `make package` in build/): builds, then packages
#   cd build && cpack -G DEB               packages what is already built
#
# The result is gempool_<version>-<release>_<arch>.deb; Depends is computed by
# dpkg-shlibdeps (dpkg-dev) from the binaries, plus the packages named below.
# tests/deploy/check_package.sh builds it from the build tree and checks it.

option(GEMPOOL_PACKAGE "install() and CPack rules for the .deb (cpack -G DEB, the package target)" ON)
set(GEMPOOL_PACKAGE_CONTACT "gempool maintainers <gempool@users.noreply.github.com>"
    CACHE STRING "Maintainer field of the .deb")
set(GEMPOOL_PACKAGE_RELEASE "1" CACHE STRING "Debian revision of the .deb (the part after the version)")

set(_gempool_deb_dir "${PROJECT_SOURCE_DIR}/deploy/debian")
if(NOT GEMPOOL_PACKAGE)
  return()
endif()
# A source tree without them (the image's build stage copies only the code):
# no package rules, nothing else changes.
if(NOT EXISTS "${_gempool_deb_dir}/postinst" OR NOT EXISTS "${PROJECT_SOURCE_DIR}/.env.example")
  message(STATUS "gempool: no .deb rules (deploy/debian or .env.example is not in this source tree)")
  return()
endif()

# --- /etc/gempool/gempool.env from .env.example ---------------------------
# Made at configure time, and again whenever .env.example changes: every
# setting the services know is in it, with the values for one host.
set_property(DIRECTORY "${PROJECT_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             "${PROJECT_SOURCE_DIR}/.env.example" "${PROJECT_SOURCE_DIR}/cmake/GempoolPackage.cmake")
file(READ "${PROJECT_SOURCE_DIR}/.env.example" _gempool_env)

# Replaces the line NAME=... with NAME=value (and optional comment lines
# before it); a setting missing from .env.example is a configure error, so a
# rename there cannot silently drop the package's value.
function(_gempool_env_set name value comment)
  if(NOT _gempool_env MATCHES "(^|\n)${name}=[^\n]*")
    message(FATAL_ERROR "GempoolPackage.cmake: .env.example has no ${name}= line; update the .deb's settings")
  endif()
  string(REGEX REPLACE "(^|\n)${name}=[^\n]*" "\\1${comment}${name}=${value}" _gempool_env "${_gempool_env}")
  set(_gempool_env "${_gempool_env}" PARENT_SCOPE)
endfunction()

# The header (.env.example's first paragraph is about copying it to .env).
string(FIND "${_gempool_env}" "\n\n" _gempool_first_blank)
if(_gempool_first_blank LESS 0)
  message(FATAL_ERROR "GempoolPackage.cmake: .env.example has no blank line after its header")
endif()
math(EXPR _gempool_first_blank "${_gempool_first_blank} + 1")
string(SUBSTRING "${_gempool_env}" ${_gempool_first_blank} -1 _gempool_env)
string(CONCAT _gempool_env
  "# gempool settings for the systemd services gempool-persistence, gempool-keybroker and gempool-gateway\n"
  "# (package gempool). After editing: sudo systemctl restart gempool.target\n"
  "# systemd reads this file as root (EnvironmentFile=): one NAME=value per line, comments on lines of\n"
  "# their own (never after a value), no `export`; a backslash escapes the next character (write \\\\ for\n"
  "# one). Your edits are kept on upgrades. It holds secrets: keep it mode 0600, owned by root.\n"
  "# For one host: SQLite in /var/lib/gempool, the gateway on 127.0.0.1:8000, the key broker and\n"
  "# persistence on 127.0.0.1:8001 and 127.0.0.1:8002.\n"
  "# gempool 的 systemd 服务（gempool-persistence、gempool-keybroker、gempool-gateway）的配置。\n"
  "# 修改后执行：sudo systemctl restart gempool.target\n"
  "# systemd 以 root 读取本文件（EnvironmentFile=）：每行一个 NAME=value，注释单独成行（不要写在值后面），\n"
  "# 不要写 export；反斜杠会转义下一个字符（一个反斜杠请写成 \\\\）。升级时会保留你的修改。\n"
  "# 本文件含有密钥：保持权限 0600、属主 root。\n"
  "# 单机默认值：SQLite 数据在 /var/lib/gempool，网关 127.0.0.1:8000，密钥代理和持久化服务 127.0.0.1:8001、127.0.0.1:8002。\n"
  "${_gempool_env}")

_gempool_env_set(DATA_DIR "/var/lib/gempool"
  "# The package's data directory (the services may write only there).\n# 软件包的数据目录（服务只能写入这里）。\n")
_gempool_env_set(HOST "127.0.0.1"
  "# The package's default: this host only (curl, or nginx in front). 0.0.0.0 serves other machines:\n# change ALLOWED_TOKENS and AUTH_TOKEN first.\n# 软件包默认只监听本机（curl 或前置 nginx）。改为 0.0.0.0 可对其他机器提供服务：请先修改 ALLOWED_TOKENS 和 AUTH_TOKEN。\n")
_gempool_env_set(SHUTDOWN_GRACE_SECONDS "30"
  "# systemd stops a service after TimeoutStopSec=40: raising this, raise that too\n# (sudo systemctl edit gempool-gateway, and the same for the other two).\n# systemd 在 TimeoutStopSec=40 秒后强制停止服务：调大本值时也要调大它（sudo systemctl edit gempool-gateway，另外两个服务同理）。\n")
_gempool_env_set(MYSQL_ROOT_PASSWORD ""
  "# The package's default: empty. Debian's MariaDB lets root in through its socket, without a password;\n# set it only to let persistence repair MYSQL_USER's account (docs/deploy.md, section 5).\n# 软件包默认留空：Debian 的 MariaDB 中 root 通过 socket 登录、没有密码；只有想让持久化服务自动修复 MYSQL_USER 账号时才设置（见部署指南第 5 节）。\n")
# One host: these already are the defaults; checked, so that a change in
# .env.example cannot move the package off loopback or SQLite unnoticed.
foreach(_gempool_expected "DATABASE_TYPE=sqlite" "KEYBROKER_ADDR=127.0.0.1:8001" "PERSISTENCE_ADDR=127.0.0.1:8002")
  if(NOT _gempool_env MATCHES "(^|\n)${_gempool_expected}\n")
    message(FATAL_ERROR "GempoolPackage.cmake: .env.example no longer has ${_gempool_expected}; set the .deb's value")
  endif()
endforeach()
# Compose-only settings (the image name) have no meaning here: their section goes.
string(FIND "${_gempool_env}" "\n# --- Image /" _gempool_image_at)
if(_gempool_image_at GREATER_EQUAL 0)
  string(SUBSTRING "${_gempool_env}" 0 ${_gempool_image_at} _gempool_before)
  math(EXPR _gempool_after_at "${_gempool_image_at} + 1")
  string(SUBSTRING "${_gempool_env}" ${_gempool_after_at} -1 _gempool_rest)
  string(FIND "${_gempool_rest}" "\n# --- " _gempool_next)
  if(_gempool_next GREATER_EQUAL 0)
    string(SUBSTRING "${_gempool_rest}" ${_gempool_next} -1 _gempool_rest)
    set(_gempool_env "${_gempool_before}${_gempool_rest}")
  else()
    set(_gempool_env "${_gempool_before}")
  endif()
endif()
set(GEMPOOL_PACKAGE_ENV_FILE "${PROJECT_BINARY_DIR}/deploy/gempool.env")
set(_gempool_old_env "")
if(EXISTS "${GEMPOOL_PACKAGE_ENV_FILE}")
  file(READ "${GEMPOOL_PACKAGE_ENV_FILE}" _gempool_old_env)
endif()
if(NOT _gempool_old_env STREQUAL _gempool_env)
  file(WRITE "${GEMPOOL_PACKAGE_ENV_FILE}" "${_gempool_env}")
endif()

# --- What the package installs --------------------------------------------
# Component "deb": the package holds exactly these, whatever else the tree
# may install one day.
install(TARGETS gempool-gateway gempool-keybroker gempool-persistence gempoolctl
        RUNTIME DESTINATION bin COMPONENT deb)
install(FILES "${_gempool_deb_dir}/gempool-persistence.service" "${_gempool_deb_dir}/gempool-keybroker.service"
              "${_gempool_deb_dir}/gempool-gateway.service" "${_gempool_deb_dir}/gempool.target"
        DESTINATION /lib/systemd/system COMPONENT deb)
install(FILES "${GEMPOOL_PACKAGE_ENV_FILE}" DESTINATION /etc/gempool
        PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT deb)
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/docs/deploy.md"
              "${PROJECT_SOURCE_DIR}/docs/deploy.zh-CN.md"
        DESTINATION share/doc/gempool COMPONENT deb)
install(FILES "${PROJECT_SOURCE_DIR}/.env.example" DESTINATION share/doc/gempool RENAME env.example COMPONENT deb)

# --- CPack ----------------------------------------------------------------
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "gempool")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${GEMPOOL_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Gemini API key pool and proxy (gateway, key broker, persistence)")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "gempool spreads Gemini API calls over a pool of keys, with OpenAI- and Anthropic-compatible APIs.\n"
    "Three systemd services: gempool-gateway (HTTP, 127.0.0.1:8000 by default), gempool-keybroker and\n"
    "gempool-persistence (SQLite in /var/lib/gempool, or MySQL/MariaDB), plus the gempoolctl CLI.\n"
    "Settings: /etc/gempool/gempool.env. Start: systemctl enable --now gempool.target")
# Only the "deb" component, in one package.
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};${PROJECT_NAME};deb;/")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_PACKAGE_NAME "gempool")
set(CPACK_DEBIAN_PACKAGE_RELEASE "${GEMPOOL_PACKAGE_RELEASE}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# CPACK_DEBIAN_PACKAGE_ARCHITECTURE: unset, so `dpkg --print-architecture`.
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Libraries: dpkg-shlibdeps on the binaries. Besides them: CA certificates
# (TLS to Google and image hosts), tzdata (TIMEZONE), useradd (postinst).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates, tzdata, passwd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mariadb-server | default-mysql-server, nginx")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_gempool_deb_dir}/conffiles;${_gempool_deb_dir}/postinst;${_gempool_deb_dir}/prerm;${_gempool_deb_dir}/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE "xz")
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
