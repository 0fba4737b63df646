import { h } from 'preact';
import htm from 'htm';

/** Tagged templates for Preact (htm): no JSX step, and every interpolated value is rendered as text. */
export const html = htm.bind(h);
