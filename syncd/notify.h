/*
 * notify: the sd_notify protocol without libsystemd (see notify.c).
 */
#ifndef SYNCD_NOTIFY_H
#define SYNCD_NOTIFY_H

#include <stdint.h>

#define NOTIFY_MSG_MAX 512

/*
 * notify_send(msg): send msg ("READY=1", "WATCHDOG=1", "RELOADING=1",
 * "STOPPING=1"...) as one datagram to $NOTIFY_SOCKET.  Returns 0 (also when
 * there is no $NOTIFY_SOCKET), -1 when the datagram could not be sent.
 */
int notify_send(const char *msg);

/* notify_status(status): send "STATUS=<status>" (newlines become spaces). */
int notify_status(const char *status);

/*
 * notify_watchdog_usec(): the watchdog interval systemd asks for
 * ($WATCHDOG_USEC, when $WATCHDOG_PID is ours or unset), 0 when none.
 * Ping at half of it.
 */
uint64_t notify_watchdog_usec(void);

#endif
