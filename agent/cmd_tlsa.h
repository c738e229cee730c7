/*
 * cmd_tlsa.h - "mxsentry tlsa FILE.pem [--mx HOST]...": the TLSA records to publish for a
 * certificate (RFC 7671 §5, RFC 7672 §3.1; DANE-USG-02).
 *
 * Reads a PEM file of one certificate or a chain (leaf first) and prints, per certificate, the
 * record DANE-SMTP recommends: "3 1 1" (DANE-EE, SPKI, SHA2-256) for an end-entity
 * certificate, "2 0 1" (DANE-TA, Cert, SHA2-256) for a CA certificate (basicConstraints cA,
 * RFC 7671 §5.2.1). Without --mx only the RDATA is printed, one record per line; with --mx
 * each record is printed as a zone-file line for each host, "_25._tcp.HOST. IN TLSA ...".
 * Exit status: 0 success, 1 the file is unreadable or holds no certificate, 2 usage error.
 */
#ifndef MXS_AGENT_CMD_TLSA_H
#define MXS_AGENT_CMD_TLSA_H

/* Run the command; argv[0] is "tlsa". Returns the exit status. */
int cmd_tlsa(int argc, char **argv);

#endif
