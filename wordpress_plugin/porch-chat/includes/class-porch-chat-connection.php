<?php
/**
 * "Test connection": asks the Porch server, from WordPress's side, whether it serves the
 * loader, accepts this site's key from this site's address and shares its identity secret.
 * The check opens no chat session, so it leaves no visitor behind in Porch.
 *
 * @package PorchChat
 */

defined( 'ABSPATH' ) || exit;

/**
 * The connection check and its plain-language verdict.
 */
class Porch_Chat_Connection {

	/**
	 * Runs the check.
	 *
	 * @param string $server_url The Porch server's base address.
	 * @param string $site_key   The site key.
	 * @param string $site_url   This site's address (its origin is what Porch must allow).
	 * @param string $secret     The identity secret, or '' when none is set.
	 * @return array{ok: bool, message: string}
	 */
	public static function test( $server_url, $site_key, $site_url, $secret = '' ) {
		if ( '' === $server_url || '' === $site_key ) {
			return self::verdict( false, __( 'Enter the Porch server address and the site key, save, then test again.', 'porch-chat' ) );
		}
		$loader = self::check_loader( $server_url );
		if ( null !== $loader ) {
			return self::verdict( false, $loader );
		}
		return self::check_site( $server_url, $site_key, self::origin( $site_url ), $secret );
	}

	/**
	 * GET {server}/widget/porch.js must answer with JavaScript.
	 *
	 * @param string $server_url The Porch server's base address.
	 * @return string|null What is wrong, or null when the loader is there.
	 */
	private static function check_loader( $server_url ) {
		$url      = $server_url . '/widget/porch.js';
		$response = wp_remote_get( $url, array( 'timeout' => 10 ) );
		if ( is_wp_error( $response ) ) {
			/* translators: 1: the loader's address, 2: the network error. */
			return sprintf( __( 'Could not reach %1$s: %2$s. Check the server address and that Porch is running.', 'porch-chat' ), $url, $response->get_error_message() );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		$type   = (string) wp_remote_retrieve_header( $response, 'content-type' );
		if ( 200 !== $status || false === strpos( $type, 'javascript' ) ) {
			/* translators: 1: the loader's address, 2: an HTTP status code. */
			return sprintf( __( '%1$s did not answer with the Porch loader (HTTP %2$d). Check the server address: it is the address of your Porch server, without /widget/porch.js.', 'porch-chat' ), $url, $status );
		}
		return null;
	}

	/**
	 * POST {server}/widget/v1/check: answers as the loader's session request would (404,
	 * 403, 429…) but opens nothing.
	 *
	 * @param string $server_url The Porch server's base address.
	 * @param string $site_key   The site key.
	 * @param string $origin     This site's origin.
	 * @param string $secret     The identity secret, or ''.
	 * @return array{ok: bool, message: string}
	 */
	private static function check_site( $server_url, $site_key, $origin, $secret ) {
		$body = array( 'site_key' => $site_key );
		if ( '' !== $secret ) {
			$body['identity_hash'] = hash_hmac( 'sha256', $site_key, $secret );
		}
		$response = wp_remote_post(
			$server_url . '/widget/v1/check',
			array(
				'timeout' => 10,
				'headers' => array(
					'Content-Type' => 'text/plain;charset=UTF-8',
					'Origin'       => $origin,
				),
				'body'    => wp_json_encode( $body ),
			)
		);
		if ( is_wp_error( $response ) ) {
			/* translators: %s: the network error. */
			return self::verdict( false, sprintf( __( 'The loader is there, but checking the site key failed: %s.', 'porch-chat' ), $response->get_error_message() ) );
		}
		$status  = (int) wp_remote_retrieve_response_code( $response );
		$verdict = self::session_verdict( $status, $site_key, $origin );
		$reply   = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( 200 === $status && is_array( $reply ) && isset( $reply['identity'] ) && 'verified' !== $reply['identity'] ) {
			return self::verdict( false, __( 'Connected, but the identity secret is not the one Porch has for this site, so logged-in users would show as unverified. Copy it again from Porch (porch site secret KEY, or Settings in the Porch inbox).', 'porch-chat' ) );
		}
		return $verdict;
	}

	/**
	 * What the check's answer means for the owner.
	 *
	 * @param int    $status   The HTTP status of the check.
	 * @param string $site_key The site key.
	 * @param string $origin   This site's origin.
	 * @return array{ok: bool, message: string}
	 */
	private static function session_verdict( $status, $site_key, $origin ) {
		switch ( $status ) {
			case 200:
				/* translators: 1: the site key, 2: this site's origin. */
				return self::verdict( true, sprintf( __( 'Connected: your Porch server answers with the loader for site key %1$s, and allows chat on %2$s.', 'porch-chat' ), $site_key, $origin ) );
			case 404:
				/* translators: %s: the site key. */
				return self::verdict( false, sprintf( __( 'Your Porch server answers, but does not know the site key %s. Copy the key from Porch (porch site list, or Settings in the Porch inbox).', 'porch-chat' ), $site_key ) );
			case 403:
				/* translators: 1: the site key, 2: this site's origin. */
				return self::verdict( false, sprintf( __( 'Your Porch server knows site key %1$s, but does not allow chat on %2$s. Add %2$s to the site\'s allowed origins in Porch.', 'porch-chat' ), $site_key, $origin ) );
			case 429:
				return self::verdict( false, __( 'Your Porch server is busy (too many new sessions). Try again in a minute.', 'porch-chat' ) );
			default:
				/* translators: %d: an HTTP status code. */
				return self::verdict( false, sprintf( __( 'The loader is there, but checking the site key failed with HTTP %d.', 'porch-chat' ), $status ) );
		}
	}

	/**
	 * The scheme, host and port of an address, as a browser sends it in Origin.
	 *
	 * @param string $url An address.
	 * @return string
	 */
	public static function origin( $url ) {
		$parts  = wp_parse_url( $url );
		$origin = ( isset( $parts['scheme'] ) ? $parts['scheme'] : 'http' ) . '://' . ( isset( $parts['host'] ) ? $parts['host'] : '' );
		return isset( $parts['port'] ) ? $origin . ':' . $parts['port'] : $origin;
	}

	/**
	 * A verdict for the settings page.
	 *
	 * @param bool   $ok      Whether chat will work.
	 * @param string $message What to tell the owner.
	 * @return array{ok: bool, message: string}
	 */
	private static function verdict( $ok, $message ) {
		return array(
			'ok'      => $ok,
			'message' => $message,
		);
	}
}
