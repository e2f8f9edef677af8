<?php
/**
 * The plugin's one option: what is stored, its defaults, and how input is cleaned.
 *
 * @package PorchChat
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reads and sanitises the `porch_chat_settings` option.
 */
class Porch_Chat_Settings {

	const OPTION = 'porch_chat_settings';
	const GROUP  = 'porch_chat';

	/**
	 * What a fresh install stores.
	 *
	 * @return array<string, mixed>
	 */
	public static function defaults() {
		return array(
			'enabled'         => true,
			'server_url'      => '',
			'site_key'        => '',
			'hidden_paths'    => array(),
			'identity_secret' => '',
		);
	}

	/**
	 * The stored settings, with defaults for anything missing.
	 *
	 * @return array<string, mixed>
	 */
	public static function get() {
		$stored = get_option( self::OPTION, array() );
		return array_merge( self::defaults(), is_array( $stored ) ? $stored : array() );
	}

	/**
	 * Activation: store the defaults once, so later saves go through update_option().
	 *
	 * @return void
	 */
	public static function install() {
		add_option( self::OPTION, self::defaults() );
	}

	/**
	 * The Settings API's sanitize callback: every field is checked; a field that is not
	 * valid keeps its previous value and the owner is told why.
	 *
	 * @param mixed $input What the settings form posted.
	 * @return array<string, mixed>
	 */
	public static function sanitize( $input ) {
		$old   = self::get();
		$input = is_array( $input ) ? wp_unslash( $input ) : array();
		$clean = $old;

		$clean['enabled']      = ! empty( $input['enabled'] );
		$clean['server_url']   = self::field( $input, 'server_url', array( __CLASS__, 'clean_server_url' ), $old['server_url'] );
		$clean['site_key']     = self::field( $input, 'site_key', array( __CLASS__, 'clean_site_key' ), $old['site_key'] );
		$paths                 = isset( $input['hidden_paths'] ) ? $input['hidden_paths'] : '';
		$clean['hidden_paths'] = self::clean_hidden_paths( is_array( $paths ) ? implode( "\n", array_filter( $paths, 'is_string' ) ) : self::text( $input, 'hidden_paths' ) );

		if ( ! empty( $input['forget_identity_secret'] ) ) {
			$clean['identity_secret'] = '';
		} else {
			// The secret is never echoed back into the form: a blank field keeps the saved one.
			$clean['identity_secret'] = self::field( $input, 'identity_secret', array( __CLASS__, 'clean_identity_secret' ), $old['identity_secret'], true );
		}
		return $clean;
	}

	/**
	 * One field through its cleaner; on failure the old value stays and an error shows.
	 *
	 * @param array<string, mixed> $input       The posted fields.
	 * @param string               $name        The field's key.
	 * @param callable             $cleaner     Returns the clean value or a WP_Error.
	 * @param mixed                $old         The stored value.
	 * @param bool                 $blank_keeps Whether an empty field keeps the stored value.
	 * @return mixed
	 */
	private static function field( $input, $name, $cleaner, $old, $blank_keeps = false ) {
		$raw = trim( self::text( $input, $name ) );
		if ( '' === $raw && $blank_keeps ) {
			return $old;
		}
		$value = call_user_func( $cleaner, $raw );
		if ( is_wp_error( $value ) ) {
			add_settings_error( self::OPTION, 'porch_chat_' . $name, $value->get_error_message() );
			return $old;
		}
		return $value;
	}

	/**
	 * A posted field as text ('' when missing or not text, e.g. a crafted array).
	 *
	 * @param array<string, mixed> $input The posted fields.
	 * @param string               $name  The field's key.
	 * @return string
	 */
	private static function text( $input, $name ) {
		return isset( $input[ $name ] ) && is_scalar( $input[ $name ] ) ? (string) $input[ $name ] : '';
	}

	/**
	 * The Porch server's base address: http(s), no query or fragment, no trailing slash.
	 *
	 * @param string $raw What the owner typed.
	 * @return string|WP_Error
	 */
	public static function clean_server_url( $raw ) {
		if ( '' === $raw ) {
			return '';
		}
		$url   = esc_url_raw( $raw, array( 'http', 'https' ) );
		$parts = wp_parse_url( $url );
		// Anything esc_url_raw() had to change (quotes, tags, a missing scheme) is refused.
		if ( $url !== $raw || ! preg_match( '#^https?://#i', $raw ) || empty( $parts['host'] ) || isset( $parts['query'] ) || isset( $parts['fragment'] ) ) {
			return new WP_Error(
				'porch_chat_server_url',
				__( 'The server address must look like https://chat.example.com (http or https, no query string). The previous address was kept.', 'porch-chat' )
			);
		}
		return untrailingslashit( $url );
	}

	/**
	 * A site key as Porch prints it: letters, digits, `_` and `-`, at most 64 characters.
	 *
	 * @param string $raw What the owner typed.
	 * @return string|WP_Error
	 */
	public static function clean_site_key( $raw ) {
		if ( '' === $raw || preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $raw ) ) {
			return $raw;
		}
		return new WP_Error(
			'porch_chat_site_key',
			__( 'The site key may only contain letters, digits, "_" and "-" (copy it from Porch: porch site list, or Settings in the Porch inbox). The previous key was kept.', 'porch-chat' )
		);
	}

	/**
	 * The identity secret Porch shows for the site: 64 hexadecimal characters.
	 *
	 * @param string $raw What the owner typed.
	 * @return string|WP_Error
	 */
	public static function clean_identity_secret( $raw ) {
		if ( preg_match( '/^[0-9a-fA-F]{64}$/', $raw ) ) {
			return strtolower( $raw );
		}
		return new WP_Error(
			'porch_chat_identity_secret',
			__( 'The identity secret must be the 64 hexadecimal characters Porch shows for this site (porch site secret KEY, or Settings in the Porch inbox). The previous secret was kept.', 'porch-chat' )
		);
	}

	/**
	 * Paths where the widget stays hidden, one a line, each starting with "/".
	 *
	 * @param string $raw The textarea's content.
	 * @return string[]
	 */
	public static function clean_hidden_paths( $raw ) {
		$paths = array();
		foreach ( preg_split( '/\r\n|\r|\n/', $raw ) as $line ) {
			$line = sanitize_text_field( $line );
			if ( '' === $line ) {
				continue;
			}
			$path = wp_parse_url( $line, PHP_URL_PATH ); // A full URL pasted in keeps just its path.
			if ( is_string( $path ) && '' !== $path ) {
				$paths[] = substr( '/' . ltrim( $path, '/' ), 0, 200 );
			}
		}
		return array_slice( array_values( array_unique( $paths ) ), 0, 100 );
	}

	/**
	 * Whether the widget stays hidden on a request path. A line hides that path and
	 * everything below it (`/checkout` hides `/checkout/pay`, not `/checkouts`); a line
	 * ending in `*` hides every path that starts with what comes before the `*`.
	 *
	 * @param string   $path         The request's path.
	 * @param string[] $hidden_paths The owner's lines.
	 * @return bool
	 */
	public static function is_hidden( $path, $hidden_paths ) {
		$path = '/' . ltrim( $path, '/' );
		foreach ( $hidden_paths as $hidden ) {
			if ( '*' === substr( $hidden, -1 ) ) {
				if ( 0 === strpos( $path, substr( $hidden, 0, -1 ) ) ) {
					return true;
				}
				continue;
			}
			$hidden = untrailingslashit( $hidden );
			if ( '' === $hidden ) {
				if ( '/' === $path ) {
					return true;
				}
				continue;
			}
			if ( $path === $hidden || 0 === strpos( $path, $hidden . '/' ) ) {
				return true;
			}
		}
		return false;
	}
}
