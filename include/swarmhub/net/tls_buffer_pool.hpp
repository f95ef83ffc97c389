#pragma once
// Where OpenSSL's record buffers live. With SSL_MODE_RELEASE_BUFFERS (net::tls_socket) a
// connection takes a 16.5 KiB read or write buffer only while a record is under way and hands
// it back at once. From the ordinary heap, those short-lived blocks fall between long-lived
// small ones (sessions, SSL objects) and leave holes that stay resident: measured, 2000 idle
// TLS connections after their logins kept 21 KiB each of resident memory, of which 8.7 KiB
// were live (malloc_trim gave the rest back).
//
// install_tls_buffer_pool() routes OpenSSL's allocations of that size to blocks of their own
// (mmap), kept on a short free list for reuse and unmapped beyond it, so a burst of activity
// leaves nothing resident behind. Every other OpenSSL allocation still goes to malloc.
//
// Call it first thing in main, before anything uses OpenSSL: OpenSSL takes allocator
// functions only before its first allocation. Returns false when it was too late (then
// OpenSSL keeps malloc, which is correct, only less frugal).

namespace swarmhub::net {

bool install_tls_buffer_pool();

}  // namespace swarmhub::net
