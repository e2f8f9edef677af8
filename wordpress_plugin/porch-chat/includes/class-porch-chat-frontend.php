<?php
/**
 * The site's pages: the Porch loader in the footer, and who the logged-in user is.
 *
 * @package PorchChat
 */

defined( 'ABSPATH' ) || exit;

/**
 * Adds the loader script (the snippet of docs/widget.md) to front-end pages.
 */
class Porch_Chat_Frontend {

	const HANDLE = 'porch-chat';

	/**
	 * Queues the queue stub, the visitor and the loader, unless the chat is off or hidden here.
	 *
	 * @return void
	 */
	public static function enqueue() {
		if ( is_admin() ) {
			return;
		}
		$settings = Porch_Chat_Settings::get();
		if ( ! $settings['enabled'] || '' === $settings['server_url'] || '' === $settings['site_key'] ) {
			return;
		}
		if ( Porch_Chat_Settings::is_hidden( self::request_path(), $settings['hidden_paths'] ) ) {
			return;
		}
		// The 5th argument is an array from WordPress 6.3 on; older versions read it as
		// "in footer" (true) and script_tag() adds the async attribute they cannot.
		wp_enqueue_script(
			self::HANDLE,
			$settings['server_url'] . '/widget/porch.js',
			array(),
			null,
			array(
				'in_footer' => true,
				'strategy'  => 'async',
			)
		);
		wp_add_inline_script( self::HANDLE, self::inline_script( $settings ), 'before' );
	}

	/**
	 * The `script_loader_tag` filter: the loader's tag gets `data-site` and `async`.
	 *
	 * @param string $tag    The HTML of the script (with its inline parts).
	 * @param string $handle The script's handle.
	 * @return string
	 */
	public static function script_tag( $tag, $handle ) {
		if ( self::HANDLE !== $handle ) {
			return $tag;
		}
		$key = Porch_Chat_Settings::get()['site_key'];
		return (string) preg_replace_callback(
			'/<script\b([^>]*\ssrc=[^>]*)>/',
			function ( $match ) use ( $key ) {
				$attributes = $match[1];
				if ( ! preg_match( '/\sasync(?=[\s=]|$)/', $attributes ) ) {
					$attributes .= ' async';
				}
				return '<script' . $attributes . ' data-site="' . esc_attr( $key ) . '">';
			},
			$tag,
			1
		);
	}

	/**
	 * The stub that queues `Porch.*` calls until the loader arrives, and the logged-in
	 * user for the widget.
	 *
	 * @param array<string, mixed> $settings The plugin's settings.
	 * @return string
	 */
	public static function inline_script( $settings ) {
		$stub    = 'window.Porch=window.Porch||{q:[]};["open","close","toggle","on","setVisitor"].forEach(function(m){Porch[m]=Porch[m]||function(){Porch.q.push([m].concat([].slice.call(arguments)))}});';
		$visitor = self::visitor( $settings['identity_secret'] );
		if ( null === $visitor ) {
			return $stub;
		}
		// Hex-escaped JSON cannot close the script element or break out of a string.
		$json = wp_json_encode( $visitor, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT );
		return $stub . "\nPorch.setVisitor(" . $json . ');';
	}

	/**
	 * The logged-in user for `Porch.setVisitor`: with the identity secret, `id` and its
	 * `hash` (hex HMAC-SHA256 of the id) let Porch mark them verified.
	 *
	 * @param string $secret The site's identity secret, or ''.
	 * @return array<string, string>|null
	 */
	public static function visitor( $secret ) {
		$user = wp_get_current_user();
		if ( ! $user->exists() ) {
			return null;
		}
		$visitor = array(
			'name'  => $user->display_name,
			'email' => $user->user_email,
		);
		if ( '' !== $secret ) {
			$id              = (string) $user->ID;
			$visitor['id']   = $id;
			$visitor['hash'] = hash_hmac( 'sha256', $id, $secret );
		}
		return $visitor;
	}

	/**
	 * The path of the current request.
	 *
	 * @return string
	 */
	private static function request_path() {
		$uri  = isset( $_SERVER['REQUEST_URI'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REQUEST_URI'] ) ) : '/';
		$path = wp_parse_url( $uri, PHP_URL_PATH );
		return is_string( $path ) ? rawurldecode( $path ) : '/';
	}
}
