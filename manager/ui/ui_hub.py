# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'hub.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QApplication, QFormLayout, QHBoxLayout, QHeaderView,
    QLabel, QPushButton, QSizePolicy, QTreeWidget,
    QTreeWidgetItem, QVBoxLayout, QWidget)

class Ui_HubPanel(object):
    def setupUi(self, HubPanel):
        if not HubPanel.objectName():
            HubPanel.setObjectName(u"HubPanel")
        HubPanel.resize(320, 360)
        self.layout = QVBoxLayout(HubPanel)
        self.layout.setObjectName(u"layout")
        self.layout.setContentsMargins(2, 2, 2, 2)
        self.form = QFormLayout()
        self.form.setObjectName(u"form")
        self.stateCaption = QLabel(HubPanel)
        self.stateCaption.setObjectName(u"stateCaption")

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.stateCaption)

        self.stateLabel = QLabel(HubPanel)
        self.stateLabel.setObjectName(u"stateLabel")

        self.form.setWidget(0, QFormLayout.ItemRole.FieldRole, self.stateLabel)

        self.urlCaption = QLabel(HubPanel)
        self.urlCaption.setObjectName(u"urlCaption")

        self.form.setWidget(1, QFormLayout.ItemRole.LabelRole, self.urlCaption)

        self.urlLabel = QLabel(HubPanel)
        self.urlLabel.setObjectName(u"urlLabel")
        self.urlLabel.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.form.setWidget(1, QFormLayout.ItemRole.FieldRole, self.urlLabel)


        self.layout.addLayout(self.form)

        self.buttons = QHBoxLayout()
        self.buttons.setObjectName(u"buttons")
        self.startButton = QPushButton(HubPanel)
        self.startButton.setObjectName(u"startButton")

        self.buttons.addWidget(self.startButton)

        self.stopButton = QPushButton(HubPanel)
        self.stopButton.setObjectName(u"stopButton")

        self.buttons.addWidget(self.stopButton)

        self.openButton = QPushButton(HubPanel)
        self.openButton.setObjectName(u"openButton")

        self.buttons.addWidget(self.openButton)

        self.refreshButton = QPushButton(HubPanel)
        self.refreshButton.setObjectName(u"refreshButton")

        self.buttons.addWidget(self.refreshButton)


        self.layout.addLayout(self.buttons)

        self.usersCaption = QLabel(HubPanel)
        self.usersCaption.setObjectName(u"usersCaption")

        self.layout.addWidget(self.usersCaption)

        self.usersTree = QTreeWidget(HubPanel)
        self.usersTree.setObjectName(u"usersTree")
        self.usersTree.setAlternatingRowColors(True)
        self.usersTree.setRootIsDecorated(False)
        self.usersTree.setUniformRowHeights(True)

        self.layout.addWidget(self.usersTree)

        self.messageLabel = QLabel(HubPanel)
        self.messageLabel.setObjectName(u"messageLabel")
        self.messageLabel.setWordWrap(True)

        self.layout.addWidget(self.messageLabel)


        self.retranslateUi(HubPanel)

        QMetaObject.connectSlotsByName(HubPanel)
    # setupUi

    def retranslateUi(self, HubPanel):
        self.stateCaption.setText(QCoreApplication.translate("HubPanel", u"State:", None))
        self.stateLabel.setText(QCoreApplication.translate("HubPanel", u"unknown", None))
        self.urlCaption.setText(QCoreApplication.translate("HubPanel", u"URL:", None))
        self.urlLabel.setText(QCoreApplication.translate("HubPanel", u"-", None))
        self.startButton.setText(QCoreApplication.translate("HubPanel", u"Start", None))
        self.stopButton.setText(QCoreApplication.translate("HubPanel", u"Stop", None))
        self.openButton.setText(QCoreApplication.translate("HubPanel", u"Open in browser", None))
        self.refreshButton.setText(QCoreApplication.translate("HubPanel", u"Refresh", None))
        self.usersCaption.setText(QCoreApplication.translate("HubPanel", u"Users", None))
        ___qtreewidgetitem = self.usersTree.headerItem()
        ___qtreewidgetitem.setText(2, QCoreApplication.translate("HubPanel", u"Last active", None))
        ___qtreewidgetitem.setText(1, QCoreApplication.translate("HubPanel", u"Server", None))
        ___qtreewidgetitem.setText(0, QCoreApplication.translate("HubPanel", u"User", None))
        self.messageLabel.setText("")
        pass
    # retranslateUi

