<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>Switchboard::DisplayNames</name>
    <message numerus="yes">
        <source>%n gate(s) pass</source>
        <translation>
            <numerusform>%n gate passes</numerusform>
            <numerusform>%n gates pass</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Switchboard::RolloutHistoryDialog</name>
    <message numerus="yes">
        <source>%n rollout(s)</source>
        <translation>
            <numerusform>%n rollout</numerusform>
            <numerusform>%n rollouts</numerusform>
        </translation>
    </message>
</context>
</TS>
