"""A real WordPress site for tests: a copy of a Debian-packaged WordPress tree with its own
wp-config.php (pointing at the private MariaDB), installed by a PHP script that calls
wp_install(), served by `php -S` with a router, in its own process group."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support.live_server import free_port
from tests.support.processes import wait_for_http
from tests.wordpress.mariadb import MariaDB, tool

REPO = Path(__file__).resolve().parents[2]
DEBIAN_WORDPRESS = Path("/usr/share/wordpress")  # Debian bookworm's package: 6.1.x
TRIXIE_WORDPRESS = REPO / ".cache/wordpress/wordpress-6.8/usr/share/wordpress"
CORES = {"6.1": DEBIAN_WORDPRESS, "6.8": TRIXIE_WORDPRESS}
PHP_WORKERS = "4"
SECRET_KEYS = [
    f"{kind}_{part}"
    for part in ("KEY", "SALT")
    for kind in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE")
]  # `php -S` answers one request at a time per worker


@dataclass(frozen=True)
class User:
    login: str
    password: str
    email: str
    name: str
    role: str


OWNER = User("owner", "owner-pass-4821", "owner@shop.example", "Shop Owner", "administrator")
SHOPPER = User("ada", "ada-pass-7734", "ada@shop.example", "Ada Lovelace", "subscriber")

WP_CONFIG = """<?php
// Written by the tests: a private database on a unix socket, nothing from /etc/wordpress.
define( 'DB_NAME', {db_name} );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', {db_host} );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
{keys}
$table_prefix = 'wp_';
define( 'WP_HOME', {url} );
define( 'WP_SITEURL', {url} );
define( 'WP_CONTENT_DIR', __DIR__ . '/wp-content' );
define( 'FS_METHOD', 'direct' );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true ); // only this machine: update checks fail at once
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_DEBUG_LOG', {debug_log} );
if ( ! defined( 'ABSPATH' ) ) {{
	define( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
"""

INSTALL = r"""<?php
// wp_install() as wp-admin/install.php calls it, plus the users the tests act as.
define( 'WP_INSTALLING', true );
$_SERVER['HTTP_HOST'] = $argv[2];
$_SERVER['REQUEST_URI'] = '/';
require $argv[1] . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$users = json_decode( $argv[3], true );
$owner = $users[0];
$password = wp_slash( $owner['password'] );
wp_install( 'Porch Test Shop', $owner['login'], $owner['email'], true, '', $password );
update_option( 'permalink_structure', '/%postname%/' );
foreach ( $users as $user ) {
	$id = username_exists( $user['login'] );
	$id = $id ? $id : wp_create_user( $user['login'], $user['password'], $user['email'] );
	$profile = array( 'ID' => $id, 'display_name' => $user['name'] );
	wp_update_user( $profile + array( 'role' => $user['role'] ) );
}
"""

ROUTER = r"""<?php
// php -S router: real files (static or PHP) and directories with an index.php are served
// as they are; every other path is a pretty permalink for WordPress's index.php.
$root = realpath( $_SERVER['DOCUMENT_ROOT'] );
$path = rawurldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
$file = realpath( $root . $path );
if ( false !== $file && 0 === strpos( $file, $root ) ) {
	if ( is_file( $file ) || is_file( $file . '/index.php' ) ) {
		return false;
	}
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
require $root . '/index.php';
"""


class WordPressSite:
    def __init__(self, version: str, base: Path, db: MariaDB) -> None:
        self.version = version
        self.core = CORES[version]
        self.base = base
        self.root = base / "site"
        self.db = db
        self.db_name = "wp" + version.replace(".", "")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.debug_log = base / "debug.log"
        self.server_log = base / "php-server.log"
        self.proc: subprocess.Popen | None = None

    @property
    def plugins_dir(self) -> Path:
        return self.root / "wp-content" / "plugins"

    def build(self) -> None:
        # A copy, not links: PHP resolves symlinks in __FILE__, and WordPress would then
        # find Debian's wp-config.php (which reads /etc/wordpress) next to the real files.
        shutil.copytree(
            self.core,
            self.root,
            symlinks=False,
            ignore_dangling_symlinks=True,
            ignore=shutil.ignore_patterns("wp-config.php", ".htaccess", "languages"),
        )
        (self.root / "wp-content" / "uploads").mkdir(exist_ok=True)
        # pytest may set a version's site up again after another version's (one session,
        # one MariaDB): start from an empty database each time.
        self.db.query(f"DROP DATABASE IF EXISTS {self.db_name}")
        self.db.query(f"CREATE DATABASE {self.db_name} CHARACTER SET utf8mb4")
        (self.root / "wp-config.php").write_text(self._config())
        (self.base / "router.php").write_text(ROUTER)
        (self.base / "install.php").write_text(INSTALL)

    def _config(self) -> str:
        keys = "\n".join(f"define( '{name}', '{secrets.token_hex(32)}' );" for name in SECRET_KEYS)
        return WP_CONFIG.format(
            db_name=_php(self.db_name),
            db_host=_php(f"localhost:{self.db.socket}"),
            keys=keys,
            url=_php(self.url),
            debug_log=_php(str(self.debug_log)),
        )

    def install(self) -> None:
        users = json.dumps([vars(user) for user in (OWNER, SHOPPER)])
        result = subprocess.run(
            [
                "php",
                str(self.base / "install.php"),
                str(self.root),
                f"127.0.0.1:{self.port}",
                users,
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if result.returncode != 0:
            raise RuntimeError(f"wp_install failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        with self.server_log.open("ab") as log:
            self.proc = subprocess.Popen(
                ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.root), "router.php"],
                cwd=self.base,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PHP_CLI_SERVER_WORKERS": PHP_WORKERS},
                start_new_session=True,
            )
        wait_for_http(self.url + "/wp-login.php", timeout=60)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def options_like(self, pattern: str) -> list[str]:
        rows = self.db.query(
            f"SELECT option_name FROM wp_options WHERE option_name LIKE '{pattern}'",
            self.db_name,
        )
        return [row[0] for row in rows]

    def plugin_warnings(self) -> list[str]:
        """PHP notices, warnings and errors that WordPress logged from the plugin's files."""
        if not self.debug_log.exists():
            return []
        lines = self.debug_log.read_text(errors="replace").splitlines()
        return [line for line in lines if "porch-chat" in line]


def _php(value: str) -> str:
    """A PHP single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def missing_tools(version: str) -> str | None:
    """Why this WordPress version cannot be tested here, or None."""
    for name in ("php", "mariadbd", "mariadb-install-db", "mariadb-admin", "mariadb"):
        if tool(name) is None:
            return f"{name} not installed (scripts/install-wordpress-test-deps installs it)"
    if not (CORES[version] / "wp-includes" / "version.php").exists():
        where = CORES[version]
        return f"WordPress {version} not found at {where} (scripts/install-wordpress-test-deps)"
    return None
