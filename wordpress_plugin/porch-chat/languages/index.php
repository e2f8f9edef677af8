<?php
/**
 * Nothing to see here.
 *
 * @package PorchChat
 */
