// libqrencode (Debian: libqrencode-dev), the QR code encoder behind the QRCodes target.
#ifndef CQRENCODE_SHIM_H
#define CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
