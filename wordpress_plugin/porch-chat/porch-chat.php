<?php
/**
 * Plugin Name:       Porch Chat
 * Description:       Live chat for your site from your own Porch server: a chat bubble on every page, logged-in customers recognised by name and email.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            Porch
 * License:           GPLv2 or later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       porch-chat
 * Domain Path:       /languages
 *
 * @package PorchChat
 */

defined( 'ABSPATH' ) || exit;

define( 'PORCH_CHAT_VERSION', '0.1.0' );
define( 'PORCH_CHAT_FILE', __FILE__ );

require_once __DIR__ . '/includes/class-porch-chat-settings.php';
require_once __DIR__ . '/includes/class-porch-chat-connection.php';
require_once __DIR__ . '/includes/class-porch-chat-admin.php';
require_once __DIR__ . '/includes/class-porch-chat-frontend.php';

register_activation_hook( __FILE__, array( 'Porch_Chat_Settings', 'install' ) );

add_action( 'init', 'porch_chat_load_textdomain' );
add_action( 'wp_enqueue_scripts', array( 'Porch_Chat_Frontend', 'enqueue' ) );
add_filter( 'script_loader_tag', array( 'Porch_Chat_Frontend', 'script_tag' ), 10, 2 );

if ( is_admin() ) {
	add_action( 'admin_init', array( 'Porch_Chat_Admin', 'register' ) );
	add_action( 'admin_menu', array( 'Porch_Chat_Admin', 'add_page' ) );
	add_filter( 'plugin_action_links_' . plugin_basename( __FILE__ ), array( 'Porch_Chat_Admin', 'action_links' ) );
}

/**
 * Loads translations shipped in the plugin's languages folder (a zip install is not
 * covered by WordPress.org's language packs).
 *
 * @return void
 */
function porch_chat_load_textdomain() {
	load_plugin_textdomain( 'porch-chat', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
}
