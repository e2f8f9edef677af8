<?php
/**
 * Settings → Porch Chat: the settings form (Settings API) and the connection test.
 *
 * @package PorchChat
 */

defined( 'ABSPATH' ) || exit;

/**
 * The admin screen.
 */
class Porch_Chat_Admin {

	const PAGE         = 'porch-chat';
	const CAPABILITY   = 'manage_options';
	const TEST_ACTION  = 'porch_chat_test_connection';
	const TEST_NONCE   = 'porch_chat_test_nonce';
	const SECTION      = 'porch_chat_main';
	const FIELD_PREFIX = 'porch_chat_';

	/**
	 * The connection test's verdict for this request, when one ran.
	 *
	 * @var array{ok: bool, message: string}|null
	 */
	private static $test_result = null;

	/**
	 * Registers the option and the form's fields with the Settings API.
	 *
	 * @return void
	 */
	public static function register() {
		register_setting(
			Porch_Chat_Settings::GROUP,
			Porch_Chat_Settings::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( 'Porch_Chat_Settings', 'sanitize' ),
				'default'           => Porch_Chat_Settings::defaults(),
				'show_in_rest'      => false,
			)
		);
		add_settings_section( self::SECTION, __( 'Chat widget', 'porch-chat' ), array( __CLASS__, 'section_intro' ), self::PAGE );
		$fields = array(
			'enabled'         => __( 'Show the chat', 'porch-chat' ),
			'server_url'      => __( 'Porch server address', 'porch-chat' ),
			'site_key'        => __( 'Site key', 'porch-chat' ),
			'hidden_paths'    => __( 'Hide the chat on', 'porch-chat' ),
			'identity_secret' => __( 'Identity secret', 'porch-chat' ),
		);
		foreach ( $fields as $name => $label ) {
			add_settings_field(
				self::FIELD_PREFIX . $name,
				$label,
				array( __CLASS__, 'field_' . $name ),
				self::PAGE,
				self::SECTION,
				array( 'label_for' => self::FIELD_PREFIX . $name )
			);
		}
	}

	/**
	 * Adds Settings → Porch Chat.
	 *
	 * @return void
	 */
	public static function add_page() {
		$hook = add_options_page(
			__( 'Porch Chat', 'porch-chat' ),
			__( 'Porch Chat', 'porch-chat' ),
			self::CAPABILITY,
			self::PAGE,
			array( __CLASS__, 'render' )
		);
		if ( $hook ) {
			add_action( 'load-' . $hook, array( __CLASS__, 'maybe_test_connection' ) );
		}
	}

	/**
	 * A "Settings" link next to Deactivate on the Plugins screen.
	 *
	 * @param string[] $links The plugin's action links.
	 * @return string[]
	 */
	public static function action_links( $links ) {
		$url = admin_url( 'options-general.php?page=' . self::PAGE );
		array_unshift( $links, '<a href="' . esc_url( $url ) . '">' . esc_html__( 'Settings', 'porch-chat' ) . '</a>' );
		return $links;
	}

	/**
	 * Runs the connection test when its form was posted (checked: capability and nonce).
	 *
	 * @return void
	 */
	public static function maybe_test_connection() {
		if ( ! isset( $_POST[ self::TEST_ACTION ] ) ) {
			return;
		}
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to test the Porch connection.', 'porch-chat' ), 403 );
		}
		check_admin_referer( self::TEST_ACTION, self::TEST_NONCE );
		$settings          = Porch_Chat_Settings::get();
		self::$test_result = Porch_Chat_Connection::test( $settings['server_url'], $settings['site_key'], home_url( '/' ), $settings['identity_secret'] );
	}

	/**
	 * The settings screen.
	 *
	 * @return void
	 */
	public static function render() {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html( get_admin_page_title() ) . '</h1>';
		self::render_test_result();
		echo '<form method="post" action="options.php" id="porch-chat-settings">';
		settings_fields( Porch_Chat_Settings::GROUP );
		do_settings_sections( self::PAGE );
		submit_button();
		echo '</form>';
		echo '<h2>' . esc_html__( 'Test connection', 'porch-chat' ) . '</h2>';
		echo '<p>' . esc_html__( 'Asks your Porch server, with the saved settings, whether it serves the chat for this site.', 'porch-chat' ) . '</p>';
		echo '<form method="post" id="porch-chat-test">';
		wp_nonce_field( self::TEST_ACTION, self::TEST_NONCE );
		submit_button( __( 'Test connection', 'porch-chat' ), 'secondary', self::TEST_ACTION, false );
		echo '</form></div>';
	}

	/**
	 * The connection test's verdict, as an admin notice.
	 *
	 * @return void
	 */
	private static function render_test_result() {
		if ( null === self::$test_result ) {
			return;
		}
		$ok = self::$test_result['ok'];
		printf(
			'<div id="porch-chat-test-result" class="notice %1$s" data-ok="%2$s"><p>%3$s</p></div>',
			esc_attr( $ok ? 'notice-success' : 'notice-error' ),
			esc_attr( $ok ? 'yes' : 'no' ),
			esc_html( self::$test_result['message'] )
		);
	}

	/**
	 * The section's introduction.
	 *
	 * @return void
	 */
	public static function section_intro() {
		echo '<p>' . esc_html__( 'Paste the server address and the site key from your Porch server (porch site add prints them; they are also under Settings in the Porch inbox). The site\'s allowed origins in Porch must include this site\'s address.', 'porch-chat' ) . '</p>';
	}

	/**
	 * The on/off checkbox.
	 *
	 * @return void
	 */
	public static function field_enabled() {
		$settings = Porch_Chat_Settings::get();
		printf(
			'<label><input type="checkbox" id="%1$s" name="%2$s" value="1" %3$s /> %4$s</label>',
			esc_attr( self::FIELD_PREFIX . 'enabled' ),
			esc_attr( self::name( 'enabled' ) ),
			checked( $settings['enabled'], true, false ),
			esc_html__( 'Show the chat bubble on the site\'s pages', 'porch-chat' )
		);
	}

	/**
	 * The server address.
	 *
	 * @return void
	 */
	public static function field_server_url() {
		self::text_input( 'server_url', 'url', 'https://chat.example.com' );
		self::description( __( 'The address of your Porch server, without /widget/porch.js.', 'porch-chat' ) );
	}

	/**
	 * The site key.
	 *
	 * @return void
	 */
	public static function field_site_key() {
		self::text_input( 'site_key', 'text', 'site_XXXXXXXX' );
	}

	/**
	 * Paths where the widget stays hidden.
	 *
	 * @return void
	 */
	public static function field_hidden_paths() {
		$settings = Porch_Chat_Settings::get();
		printf(
			'<textarea id="%1$s" name="%2$s" rows="5" cols="50" class="large-text code">%3$s</textarea>',
			esc_attr( self::FIELD_PREFIX . 'hidden_paths' ),
			esc_attr( self::name( 'hidden_paths' ) ),
			esc_textarea( implode( "\n", $settings['hidden_paths'] ) )
		);
		self::description( __( 'One path a line, as in the address bar, e.g. /checkout (hides /checkout and the pages below it). End a line with * to hide every path that starts with it.', 'porch-chat' ) );
	}

	/**
	 * The identity secret: never printed back, a blank field keeps the saved one.
	 *
	 * @return void
	 */
	public static function field_identity_secret() {
		$saved = '' !== Porch_Chat_Settings::get()['identity_secret'];
		printf(
			'<input type="password" id="%1$s" name="%2$s" value="" class="regular-text code" autocomplete="off" placeholder="%3$s" />',
			esc_attr( self::FIELD_PREFIX . 'identity_secret' ),
			esc_attr( self::name( 'identity_secret' ) ),
			esc_attr( $saved ? __( 'Saved (leave blank to keep it)', 'porch-chat' ) : '' )
		);
		if ( $saved ) {
			printf(
				'<p><label><input type="checkbox" name="%1$s" value="1" /> %2$s</label></p>',
				esc_attr( self::name( 'forget_identity_secret' ) ),
				esc_html__( 'Remove the saved secret', 'porch-chat' )
			);
		}
		self::description( __( 'Porch shows it for the site (porch site secret KEY, or Settings in the Porch inbox). With it, logged-in users reach your team with their name and email, marked verified, so nobody can pose as them. Without it their name and email are passed unverified.', 'porch-chat' ) );
	}

	/**
	 * A one-line input bound to a setting.
	 *
	 * @param string $name        The setting.
	 * @param string $type        The input type.
	 * @param string $placeholder An example value.
	 * @return void
	 */
	private static function text_input( $name, $type, $placeholder ) {
		$settings = Porch_Chat_Settings::get();
		printf(
			'<input type="%1$s" id="%2$s" name="%3$s" value="%4$s" class="regular-text code" placeholder="%5$s" />',
			esc_attr( $type ),
			esc_attr( self::FIELD_PREFIX . $name ),
			esc_attr( self::name( $name ) ),
			esc_attr( $settings[ $name ] ),
			esc_attr( $placeholder )
		);
	}

	/**
	 * A field's help text.
	 *
	 * @param string $text The (translated) text.
	 * @return void
	 */
	private static function description( $text ) {
		echo '<p class="description">' . esc_html( $text ) . '</p>';
	}

	/**
	 * A form field's name inside the option's array.
	 *
	 * @param string $key The setting.
	 * @return string
	 */
	private static function name( $key ) {
		return Porch_Chat_Settings::OPTION . '[' . $key . ']';
	}
}
