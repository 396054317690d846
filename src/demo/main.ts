// The demo page's entry (index.html): registers <mk-demo>, which joins the room.
import './mk-demo.js';
