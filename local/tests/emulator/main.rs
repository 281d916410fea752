//! banter-local against real sockets on free ports, with stand-in functions.

mod blobs;
mod http;
mod management;
mod startup;
mod support;
mod websocket;
