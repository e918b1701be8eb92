/** Accounts and devices: registration, login (one device per login), tokens, logout and revocation. */
package dev.parley.accounts;
