<?php
/**
 * Deleting the plugin in wp-admin removes everything it stored: its one option, on
 * every site of a network.
 *
 * @package PorchChat
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

if ( ! is_multisite() ) {
	delete_option( 'porch_chat_settings' );
	return;
}
$porch_chat_sites = get_sites(
	array(
		'fields' => 'ids',
		'number' => 0,
	)
);
foreach ( $porch_chat_sites as $porch_chat_site ) {
	switch_to_blog( $porch_chat_site );
	delete_option( 'porch_chat_settings' );
	restore_current_blog();
}
